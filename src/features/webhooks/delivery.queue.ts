import type { Env } from "../../platform/env";
import { readSettings } from "../../platform/env";
import { deliveryMessageSchema } from "./deliveries";
import { attemptDelivery } from "./send";

/** A consumer-side failure (D1 unavailable, …) is retried soon; it says nothing about the endpoint. */
const INTERNAL_RETRY_SECONDS = 30;

async function handle(message: Message, env: Env): Promise<void> {
  const parsed = deliveryMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: "error", message: "malformed webhook delivery message", id: message.id }));
    message.ack();
    return;
  }
  try {
    const outcome = await attemptDelivery(env, parsed.data, message.attempts);
    if (outcome.action === "ack") message.ack();
    else message.retry(outcome.delaySeconds > 0 ? { delaySeconds: outcome.delaySeconds } : {});
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "webhook delivery failed internally", deliveryId: parsed.data.deliveryId, error: String(error) }));
    message.retry({ delaySeconds: INTERNAL_RETRY_SECONDS });
  }
}

/**
 * Consumer of `webhook-deliveries`: one attempt per message, ack on 2xx, retry with backoff otherwise.
 * Messages run in parallel up to the per-invocation connection cap, since each attempt holds one connection.
 */
export async function consumeWebhookDeliveries(batch: MessageBatch, env: Env): Promise<void> {
  const width = readSettings(env).MAX_CONNECTIONS_PER_INVOCATION;
  const queue = [...batch.messages];
  const worker = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) await handle(message, env);
  };
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, worker));
}
