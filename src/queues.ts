import type { Env } from "./platform/env";
import { consumeProviderCalls } from "./provider-calls";
import { consumeWebhookDeliveries } from "./features/webhooks/delivery.queue";
import { consumeWebhookDeadLetters } from "./features/webhooks/dlq.queue";

type Consumer = (batch: MessageBatch, env: Env, ctx: ExecutionContext) => Promise<void>;

/** Queue name → consumer; wrangler.toml declares the same names. */
const consumers: Record<string, Consumer> = {
  "provider-calls": consumeProviderCalls,
  "webhook-deliveries": consumeWebhookDeliveries,
  "webhook-deliveries-dlq": consumeWebhookDeadLetters,
};

export async function handleQueueBatch(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  const consumer = consumers[batch.queue];
  if (!consumer) {
    console.error(JSON.stringify({ level: "error", message: `No consumer for queue ${batch.queue}` }));
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  await consumer(batch, env, ctx);
}
