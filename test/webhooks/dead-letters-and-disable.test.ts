import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { receivedBy } from "../helpers/webhook-receiver";
import { createHook, deliverMessage, deliveryRow, runQueue, seedDelivery, webhookRow } from "./harness";

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();

async function setFailingSince(webhookId: string, at: string) {
  await env.DB.prepare("UPDATE webhooks SET failing_since = ? WHERE id = ?").bind(at, webhookId).run();
}

async function disabledAudits(orgId: string) {
  const rows = await env.DB.prepare("SELECT * FROM audit_log WHERE org_id = ? AND action = 'webhook.disabled'").bind(orgId).all();
  return rows.results;
}

describe("dead-letter consumer", () => {
  it("marks the delivery failed for good and leaves finished or superseded ones alone", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const pending = await seedDelivery(org.orgId, hook.id);
    const delivered = await seedDelivery(org.orgId, hook.id);
    const superseded = await seedDelivery(org.orgId, hook.id);
    await deliverMessage(delivered.id);
    await env.DB.prepare("UPDATE webhook_deliveries SET generation = 1 WHERE id = ?").bind(superseded.id).run();

    const result = await runQueue("webhook-deliveries-dlq", [
      { body: { deliveryId: pending.id, generation: 0 }, id: "p" },
      { body: { deliveryId: delivered.id, generation: 0 }, id: "d" },
      { body: { deliveryId: superseded.id, generation: 0 }, id: "s" },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["d", "p", "s"]);
    const failed = await deliveryRow(pending.id);
    expect(failed).toMatchObject({ status: "failed", next_attempt_at: null });
    expect(String(failed?.last_error)).toContain("21 attempts");
    expect(Date.parse(String(failed?.failed_at))).not.toBeNaN();
    expect(await deliveryRow(delivered.id)).toMatchObject({ status: "delivered", failed_at: null });
    expect(await deliveryRow(superseded.id)).toMatchObject({ status: "pending", generation: 1 });

    const page = await call("GET", `/v1/webhooks/${hook.id}/deliveries?status=failed`, { key: org.adminKey });
    expect(page.json.data.map((d: { id: string }) => d.id)).toEqual([pending.id]);
  });
});

describe("auto-disable after days of failure", () => {
  it("disables an endpoint failing for over three days, once, and tells the organization in the audit log", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, { fail: 1000 });
    const first = await seedDelivery(org.orgId, hook.id);
    const second = await seedDelivery(org.orgId, hook.id);
    const since = daysAgo(3.5);
    await setFailingSince(hook.id, since);

    const result = await deliverMessage(first.id, 0, 5);
    expect(result.retryMessages).toHaveLength(1);
    expect(await webhookRow(hook.id)).toMatchObject({ enabled: 0, disabled_reason: "failing", failing_since: since });
    const [audit, ...more] = await disabledAudits(org.orgId);
    expect(more).toHaveLength(0);
    expect(audit).toMatchObject({ actor_key_id: null, target_type: "webhook", target_id: hook.id });
    expect(JSON.parse(String(audit?.data))).toEqual({ reason: "failing", url: hook.url, failingSince: since });

    // The next queued attempt finds the endpoint disabled: nothing sent, delivery ended, no second audit entry.
    const sentBefore = (await receivedBy(hook.bin)).length;
    expect((await deliverMessage(second.id)).explicitAcks).toEqual(["msg-0"]);
    expect((await receivedBy(hook.bin)).length).toBe(sentBefore);
    expect(await deliveryRow(second.id)).toMatchObject({ status: "failed", last_error: "Webhook is disabled" });
    expect(await disabledAudits(org.orgId)).toHaveLength(1);

    const shown = await call("GET", `/v1/webhooks/${hook.id}`, { key: org.adminKey });
    expect(shown.json).toMatchObject({ enabled: false, disabledReason: "failing", failingSince: since });
    const log = await call("GET", "/v1/audit-log?action=webhook.disabled", { key: org.adminKey });
    expect(log.json.data).toHaveLength(1);

    const reEnabled = await call("PATCH", `/v1/webhooks/${hook.id}`, { key: org.adminKey, body: { enabled: true } });
    expect(reEnabled.json).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it("keeps an endpoint failing for less than three days enabled", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, { fail: 1000 });
    const delivery = await seedDelivery(org.orgId, hook.id);
    const since = daysAgo(2.5);
    await setFailingSince(hook.id, since);
    await deliverMessage(delivery.id);
    expect(await webhookRow(hook.id)).toMatchObject({ enabled: 1, disabled_reason: null, failing_since: since });
    expect(await disabledAudits(org.orgId)).toHaveLength(0);
  });

  it("resets the failure clock on a success", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const delivery = await seedDelivery(org.orgId, hook.id);
    await setFailingSince(hook.id, daysAgo(2.9));
    await deliverMessage(delivery.id);
    const row = await webhookRow(hook.id);
    expect(row).toMatchObject({ enabled: 1, failing_since: null });
    expect(row?.last_success_at).toEqual(expect.any(String));
  });

  it("does not disable an endpoint whose outage began recently, whatever happened before its last success", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, { fail: 1000 });
    const delivery = await seedDelivery(org.orgId, hook.id);
    await env.DB.prepare("UPDATE webhooks SET failing_since = NULL, last_success_at = ? WHERE id = ?").bind(daysAgo(10), hook.id).run();
    await deliverMessage(delivery.id);
    const row = await webhookRow(hook.id);
    expect(row?.enabled).toBe(1);
    expect(Date.parse(String(row?.failing_since))).toBeGreaterThan(Date.parse(daysAgo(1)));
  });
});
