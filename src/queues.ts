import { collect } from "./features";
import type { Env } from "./platform/env";
import type { QueueConsumer } from "./platform/queue-context";
import { consumeProviderCalls } from "./provider-calls";

/**
 * Queue name → consumer: `provider-calls` (which hands each message to its feature by `kind`) and the features' own
 * queues from their manifests. wrangler.toml declares the same names.
 */
const consumers: Readonly<Record<string, QueueConsumer>> = { "provider-calls": consumeProviderCalls, ...collect("queue", (f) => f.queues) };

export async function handleQueueBatch(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  const consumer = consumers[batch.queue];
  if (!consumer) {
    console.error(JSON.stringify({ level: "error", message: `No consumer for queue ${batch.queue}` }));
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  await consumer(batch, env, ctx);
}
