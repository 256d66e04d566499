import { createDb } from "../../platform/db/client";
import type { Env } from "../../platform/env";
import { deliveryMessageSchema } from "./deliveries";
import { markDeliveryFailed } from "./send";
import { WEBHOOK_MAX_RETRIES } from "./retry-schedule";

/** Consumer of `webhook-deliveries-dlq`: a message lands here after its last retry, so the delivery has failed for good. */
export async function consumeWebhookDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const parsed = deliveryMessageSchema.safeParse(message.body);
    if (parsed.success) {
      await markDeliveryFailed(db, parsed.data, `Gave up after ${WEBHOOK_MAX_RETRIES + 1} attempts`);
    }
    message.ack();
  }
}
