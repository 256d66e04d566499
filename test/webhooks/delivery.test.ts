import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { retrySchedule } from "../../src/features/webhooks/retry-schedule";
import { call, createOrg } from "../helpers/api";
import { receivedBy } from "../helpers/webhook-receiver";
import { createHook, deliverMessage, deliveryRow, runQueue, seedDelivery, signatureHeaders, webhookRow } from "./harness";

const schedule = retrySchedule();

describe("webhook delivery consumer", () => {
  it("POSTs a Standard Webhooks signed body that standardwebhooks verifies, then acks", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const delivery = await seedDelivery(org.orgId, hook.id, { entityId: "ent-42", results: [{ integrationCode: "x", success: true }] });

    const result = await deliverMessage(delivery.id);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(result.retryMessages).toEqual([]);

    const [received, ...more] = await receivedBy(hook.bin);
    expect(more).toHaveLength(0);
    if (!received) throw new Error("nothing received");
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.headers["webhook-id"]).toBe(delivery.id);
    expect(received.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(hook.secret).verify(received.body, signatureHeaders(received.headers));
    expect(verified).toEqual({
      type: "enrichment.completed",
      timestamp: expect.any(String),
      data: { entityId: "ent-42", results: [{ integrationCode: "x", success: true }] },
    });
    const otherSecret = (await createHook(org.adminKey)).secret;
    expect(() => new Webhook(otherSecret).verify(received.body, signatureHeaders(received.headers))).toThrow();
    expect(() => new Webhook(hook.secret).verify(`${received.body} `, signatureHeaders(received.headers))).toThrow();

    expect(await deliveryRow(delivery.id)).toMatchObject({ status: "delivered", attempt_count: 1, last_status_code: 200, lease_until: null });
    expect((await webhookRow(hook.id))?.last_success_at).toEqual(expect.any(String));
  });

  it("retries failures with growing, jittered delays and logs every attempt", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, { fail: 2, status: 503 });
    const delivery = await seedDelivery(org.orgId, hook.id);

    const first = await deliverMessage(delivery.id, 0, 1);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    const firstDelay = first.delays.get("msg-0") ?? 0;
    expect(firstDelay).toBeGreaterThanOrEqual(Math.floor((schedule[0] ?? 0) * 0.8));
    expect(firstDelay).toBeLessThanOrEqual(Math.ceil((schedule[0] ?? 0) * 1.2));
    const afterFirst = await deliveryRow(delivery.id);
    expect(afterFirst).toMatchObject({ status: "pending", attempt_count: 1, last_status_code: 503 });
    expect(Date.parse(String(afterFirst?.next_attempt_at)) - Date.parse(String(afterFirst?.last_attempt_at))).toBe(firstDelay * 1000);
    expect((await webhookRow(hook.id))?.failing_since).toEqual(expect.any(String));

    const tenth = await deliverMessage(delivery.id, 0, 10);
    const tenthDelay = tenth.delays.get("msg-0") ?? 0;
    expect(tenthDelay).toBeGreaterThanOrEqual(Math.floor((schedule[9] ?? 0) * 0.8));
    expect(tenthDelay).toBeLessThanOrEqual(Math.ceil((schedule[9] ?? 0) * 1.2));

    const third = await deliverMessage(delivery.id, 0, 11);
    expect(third.explicitAcks).toEqual(["msg-0"]);
    expect((await receivedBy(hook.bin)).map((r) => r.answered)).toEqual([503, 503, 200]);
    expect((await webhookRow(hook.id))?.failing_since).toBeNull();

    const page = await call("GET", `/v1/webhooks/${hook.id}/deliveries`, { key: org.adminKey });
    expect(page.status).toBe(200);
    const [listed] = page.json.data;
    expect(listed).toMatchObject({ id: delivery.id, status: "delivered", attemptCount: 3, lastStatusCode: 200, nextAttemptAt: null });
    expect(listed.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 200]);
    expect(listed.attempts[0].error).toContain("503");
    expect(listed.attempts[2].error).toBeNull();
    for (const attempt of listed.attempts) {
      expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(attempt.at)).not.toBeNaN();
    }
  });

  it("never sends a delivered event twice, even for duplicate messages in one batch", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const delivery = await seedDelivery(org.orgId, hook.id);
    const body = { deliveryId: delivery.id, generation: 0 };

    const both = await runQueue("webhook-deliveries", [{ body, id: "a" }, { body, id: "b" }]);
    expect((await receivedBy(hook.bin)).length).toBe(1);
    // One copy sent and was acked; the other found the lease taken and was put back (or found it delivered).
    expect(both.explicitAcks.length + both.retryMessages.length).toBe(2);
    expect(both.explicitAcks.length).toBeGreaterThanOrEqual(1);

    const again = await deliverMessage(delivery.id, 0, 2);
    expect(again.explicitAcks).toEqual(["msg-0"]);
    expect((await receivedBy(hook.bin)).length).toBe(1);
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: "delivered", attempt_count: 1 });
  });

  it("drops messages of a superseded generation, a deleted webhook and malformed bodies", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const delivery = await seedDelivery(org.orgId, hook.id);
    await env.DB.prepare("UPDATE webhook_deliveries SET generation = 1 WHERE id = ?").bind(delivery.id).run();
    expect((await deliverMessage(delivery.id, 0)).explicitAcks).toEqual(["msg-0"]);
    expect(await receivedBy(hook.bin)).toEqual([]);

    const malformed = await runQueue("webhook-deliveries", [{ body: { nope: true } }]);
    expect(malformed.explicitAcks).toEqual(["msg-0"]);

    expect((await call("DELETE", `/v1/webhooks/${hook.id}`, { key: org.adminKey })).status).toBe(204);
    expect(await deliveryRow(delivery.id)).toBeNull();
    expect((await deliverMessage(delivery.id, 1)).explicitAcks).toEqual(["msg-0"]);
    expect(await receivedBy(hook.bin)).toEqual([]);
  });

  it("treats a redirect as a failed attempt and does not follow it", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, { redirect: true });
    const delivery = await seedDelivery(org.orgId, hook.id);
    const result = await deliverMessage(delivery.id);
    expect(result.retryMessages).toHaveLength(1);
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: "pending", last_status_code: 307 });
    expect(await receivedBy(`${hook.bin}-redirected`)).toEqual([]);
  });

  it("re-checks the URL with the outbound guard at delivery and fails without sending", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const delivery = await seedDelivery(org.orgId, hook.id);
    // As if the URL had been accepted under an older policy: the guard must still stop it now.
    await env.DB.prepare("UPDATE webhooks SET url = 'http://10.0.0.1/hook' WHERE id = ?").bind(hook.id).run();
    const result = await deliverMessage(delivery.id);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    const row = await deliveryRow(delivery.id);
    expect(row).toMatchObject({ status: "failed", attempt_count: 1, last_status_code: null });
    expect(String(row?.last_error)).toContain("refused");
    expect(await receivedBy(hook.bin)).toEqual([]);
  });

  it("fails event deliveries to a disabled webhook without sending, but still sends test pings", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey);
    const delivery = await seedDelivery(org.orgId, hook.id);
    await call("PATCH", `/v1/webhooks/${hook.id}`, { key: org.adminKey, body: { enabled: false } });
    expect((await deliverMessage(delivery.id)).explicitAcks).toEqual(["msg-0"]);
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: "failed", last_error: "Webhook is disabled" });
    expect(await receivedBy(hook.bin)).toEqual([]);

    const ping = await call("POST", `/v1/webhooks/${hook.id}/test`, { key: org.adminKey });
    expect(ping.status).toBe(202);
    expect(ping.json).toMatchObject({ eventType: "webhook.test", status: "pending", attempts: [] });
    expect((await deliverMessage(ping.json.id)).explicitAcks).toEqual(["msg-0"]);
    const [received] = await receivedBy(hook.bin);
    if (!received) throw new Error("ping not received");
    expect(new Webhook(hook.secret).verify(received.body, signatureHeaders(received.headers))).toMatchObject({ type: "webhook.test" });
  });

  it("hands the last attempt to the dead-letter queue without a delay", async () => {
    const org = await createOrg();
    const hook = await createHook(org.adminKey, { fail: 100 });
    const delivery = await seedDelivery(org.orgId, hook.id);
    const result = await deliverMessage(delivery.id, 0, 21);
    expect(result.retryMessages).toEqual([{ msgId: "msg-0" }]);
    expect(result.delays.has("msg-0")).toBe(true);
    expect(result.delays.get("msg-0")).toBeUndefined();
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: "pending", next_attempt_at: null, attempt_count: 1 });
  });
});
