import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { ORPHANED_DELIVERY_AGE_MS } from "../../src/features/webhooks/sweep";
import { createOrg } from "../helpers/api";
import { receivedBy, waitForReceived } from "../helpers/webhook-receiver";
import { createHook, seedDelivery } from "./harness";

describe("cron sweep of orphaned deliveries", () => {
  it("re-queues a delivery whose queue message was lost, and leaves fresh ones alone", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const orphan = await seedDelivery(org.orgId, hook.id, { entityId: "lost" });
    await seedDelivery(org.orgId, hook.id, { entityId: "fresh" });
    const old = new Date(Date.now() - ORPHANED_DELIVERY_AGE_MS - 60_000).toISOString();
    await env.DB.prepare("UPDATE webhook_deliveries SET created_at = ? WHERE id = ?").bind(old, orphan.id).run();

    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const [received] = await waitForReceived(hook.bin, 1);
    expect(received).toBeDefined();
    const payload = new Webhook(hook.secret).verify(received?.body ?? "", received?.headers ?? {}) as { data: { entityId: string } };
    expect(payload.data.entityId).toBe("lost");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await receivedBy(hook.bin)).toHaveLength(1);
  });
});
