import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
// Registers the features' bus subscribers (webhooks' fan-out), as the Worker entry does.
import "../../src/features";
import { newEvent, publish } from "../../src/platform/events";
import { call, createOrg } from "../helpers/api";
import { enrich, lookupOrg, person, scenario } from "../helpers/enrichment";
import { receivedBy, waitForReceived } from "../helpers/webhook-receiver";
import { createHook, signatureHeaders } from "./harness";

async function deliveriesOf(webhookId: string) {
  const rows = await env.DB.prepare("SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at").bind(webhookId).all();
  return rows.results;
}

/** The real queue consumer runs in the background; poll the API until the delivery settles. */
async function waitForDelivery(key: string, webhookId: string, status: string, attempts = 1) {
  const until = Date.now() + 15_000;
  for (;;) {
    const page = await call("GET", `/v1/webhooks/${webhookId}/deliveries`, { key });
    const [first] = page.json.data;
    if ((first?.status === status && first.attempts.length >= attempts) || Date.now() > until) return first;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("event bus → webhook deliveries", () => {
  it("delivers a published enrichment.completed event, signed, to each subscribed endpoint of the organization only", async () => {
    const org = await createOrg();
    const subscribed = await createHook(org.adminKey, {}, ["enrichment.completed"]);
    const otherType = await createHook(org.adminKey, {}, ["job.completed"]);
    const disabled = await createHook(org.adminKey, {}, ["enrichment.completed"]);
    await call("PATCH", `/v1/webhooks/${disabled.id}`, { key: org.adminKey, body: { enabled: false } });
    const otherOrg = await createOrg();
    const foreign = await createHook(otherOrg.adminKey, {}, ["enrichment.completed"]);

    const event = newEvent("enrichment.completed", org.orgId, { entityId: "ent-1", results: [{ integrationCode: "http_lookup", success: true }] });
    await publish(env, [event]);

    const rows = await deliveriesOf(subscribed.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: event.id, event_type: "enrichment.completed", org_id: org.orgId });
    for (const hook of [otherType, disabled, foreign]) expect(await deliveriesOf(hook.id)).toHaveLength(0);

    const [received] = await waitForReceived(subscribed.bin);
    if (!received) throw new Error("the queue consumer never delivered");
    expect(received.headers["webhook-id"]).toBe(rows[0]?.id);
    expect(new Webhook(subscribed.secret).verify(received.body, signatureHeaders(received.headers))).toEqual({
      type: "enrichment.completed",
      timestamp: event.occurredAt,
      data: event.data,
    });
    const settled = await waitForDelivery(org.adminKey, subscribed.id, "delivered");
    expect(settled).toMatchObject({ eventId: event.id, status: "delivered", attemptCount: 1 });
    expect(settled.attempts[0]).toMatchObject({ statusCode: 200, error: null });

    // Publishing the same event again (a repeated alarm or message) records no second delivery.
    await publish(env, [event]);
    expect(await deliveriesOf(subscribed.id)).toHaveLength(1);
  });

  it("delivers a synchronous enrichment's event to the organization's subscribed webhooks, read along with the request", async () => {
    const org = await lookupOrg();
    const subscribed = await createHook(org.adminKey, {}, ["enrichment.completed"]);
    const disabled = await createHook(org.adminKey, {}, ["enrichment.completed"]);
    await call("PATCH", `/v1/webhooks/${disabled.id}`, { key: org.adminKey, body: { enabled: false } });
    const otherOrg = await createOrg();
    const foreign = await createHook(otherOrg.adminKey, {}, ["enrichment.completed"]);
    const entityId = await person(org.adminKey);
    const res = await enrich(org.adminKey, entityId, { integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    expect(res.status).toBe(200);
    const until = Date.now() + 10_000;
    while ((await deliveriesOf(subscribed.id)).length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    const [row] = await deliveriesOf(subscribed.id);
    expect(row).toMatchObject({ event_type: "enrichment.completed", org_id: org.orgId });
    expect(JSON.parse(String(row?.payload)).data.entityId).toBe(entityId);
    for (const hook of [disabled, foreign]) expect(await deliveriesOf(hook.id)).toHaveLength(0);
  });

  it("reaches a job's named webhook and fans one event out to several endpoints", async () => {
    const org = await createOrg();
    const named = await createHook(org.adminKey, {}, ["job.completed"]);
    const orgWide = await createHook(org.adminKey, {}, ["job.completed", "job.failed"]);
    const event = newEvent("job.completed", org.orgId, { jobId: "job-1", counts: { succeeded: 3 } }, named.id);
    await publish(env, [event]);
    expect(await deliveriesOf(named.id)).toHaveLength(1);
    expect(await deliveriesOf(orgWide.id)).toHaveLength(1);
    for (const hook of [named, orgWide]) {
      const [received] = await waitForReceived(hook.bin);
      if (!received) throw new Error("not delivered");
      expect(new Webhook(hook.secret).verify(received.body, signatureHeaders(received.headers))).toMatchObject({ type: "job.completed" });
    }
  });
});

describe("test pings and redelivery through the real queue", () => {
  it("sends a verified webhook.test ping and lists it", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const ping = await call("POST", `/v1/webhooks/${hook.id}/test`, { key: org.adminKey });
    expect(ping.status).toBe(202);
    const [received] = await waitForReceived(hook.bin);
    if (!received) throw new Error("ping not delivered");
    expect(received.headers["webhook-id"]).toBe(ping.json.id);
    expect(new Webhook(hook.secret).verify(received.body, signatureHeaders(received.headers))).toMatchObject({
      type: "webhook.test",
      data: { webhookId: hook.id },
    });
    expect(await waitForDelivery(org.adminKey, hook.id, "delivered")).toMatchObject({ id: ping.json.id, eventType: "webhook.test" });
    const audit = await call("GET", `/v1/audit-log?action=webhook.tested&targetId=${hook.id}`, { key: org.adminKey });
    expect(audit.json.data).toHaveLength(1);
  });

  it("redelivers a delivered event with the same webhook-id and body, each signature valid", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const ping = await call("POST", `/v1/webhooks/${hook.id}/test`, { key: org.adminKey });
    await waitForDelivery(org.adminKey, hook.id, "delivered");

    const again = await call("POST", `/v1/webhook-deliveries/${ping.json.id}/redeliver`, { key: org.adminKey });
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ id: ping.json.id, status: "pending", attemptCount: 1 });
    const received = await waitForReceived(hook.bin, 2);
    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(r.headers["webhook-id"]).toBe(ping.json.id);
      expect(() => new Webhook(hook.secret).verify(r.body, signatureHeaders(r.headers))).not.toThrow();
    }
    expect(received[1]?.body).toBe(received[0]?.body);
    const settled = await waitForDelivery(org.adminKey, hook.id, "delivered", 2);
    expect(settled.attemptCount).toBe(2);
    const audit = await call("GET", `/v1/audit-log?action=webhook_delivery.redelivered`, { key: org.adminKey });
    expect(audit.json.data.map((e: { targetId: string }) => e.targetId)).toEqual([ping.json.id]);
  });

  it("refuses to redeliver an event to a disabled endpoint, and 404s an unknown delivery", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, {}, ["enrichment.failed"]);
    await publish(env, [newEvent("enrichment.failed", org.orgId, { entityId: "e" })]);
    const [row] = await deliveriesOf(hook.id);
    await waitForReceived(hook.bin);
    await call("PATCH", `/v1/webhooks/${hook.id}`, { key: org.adminKey, body: { enabled: false } });
    const refused = await call("POST", `/v1/webhook-deliveries/${row?.id}/redeliver`, { key: org.adminKey });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("CONFLICT");
    expect((await call("POST", `/v1/webhook-deliveries/${crypto.randomUUID()}/redeliver`, { key: org.adminKey })).status).toBe(404);
    expect((await receivedBy(hook.bin)).length).toBe(1);
  });
});
