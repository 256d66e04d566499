import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { createDb } from "../../src/platform/db/client";
import { recordDeliveries, webhookPayload } from "../../src/features/webhooks/deliveries";
import { call } from "../helpers/api";
import { receiverUrl } from "../helpers/webhook-receiver";

export interface TestHook {
  id: string;
  secret: string;
  bin: string;
  url: string;
}

export async function createHook(
  adminKey: string,
  receiver: Parameters<typeof receiverUrl>[0] = {},
  events = ["enrichment.completed", "enrichment.failed", "job.completed", "job.failed", "contact_enrichment.finished"],
): Promise<TestHook> {
  const { bin, url } = receiverUrl(receiver);
  const res = await call("POST", "/v1/webhooks", { key: adminKey, body: { url, events } });
  if (res.status !== 201) throw new Error(`createHook failed: ${res.status} ${res.text}`);
  return { id: res.json.id, secret: res.json.secret, bin, url };
}

/** A pending delivery row, written without queueing a message, so the test drives the consumer itself. */
export async function seedDelivery(orgId: string, webhookId: string, data: Record<string, unknown> = { entityId: "e-1" }) {
  const eventId = `evt_${crypto.randomUUID()}`;
  const [row] = await recordDeliveries(createDb(env.DB), [
    { orgId, webhookId, eventId, eventType: "enrichment.completed", payload: webhookPayload("enrichment.completed", new Date().toISOString(), data) },
  ]);
  if (!row) throw new Error("seedDelivery inserted nothing");
  return row;
}

export interface TestMessage {
  body: unknown;
  attempts?: number;
  id?: string;
}

/** Runs the Worker's real queue handler on a hand-made batch and returns what it acked and retried. */
export async function runQueue(queue: string, messages: TestMessage[]) {
  const batch = createMessageBatch(
    queue,
    messages.map((m, i) => ({ id: m.id ?? `msg-${i}`, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  // getQueueResult reports which messages were retried but not their delay, so each retry call is recorded on the way through.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (options?: QueueRetryOptions) => {
        delays.set(message.id, options?.delaySeconds);
        retry(options);
      },
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

export const deliverMessage = (deliveryId: string, generation = 0, attempts = 1, id?: string) =>
  runQueue("webhook-deliveries", [{ body: { deliveryId, generation }, attempts, id }]);

export async function deliveryRow(id: string) {
  return env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

export async function webhookRow(id: string) {
  return env.DB.prepare("SELECT * FROM webhooks WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

/** Headers the receiver recorded, as `standardwebhooks` expects them. */
export const signatureHeaders = (headers: Record<string, string>) => ({
  "webhook-id": headers["webhook-id"] ?? "",
  "webhook-timestamp": headers["webhook-timestamp"] ?? "",
  "webhook-signature": headers["webhook-signature"] ?? "",
});
