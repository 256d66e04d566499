import { z } from "zod";
import type { Env } from "../../platform/env";
import type { Semaphore } from "../../platform/lib/semaphore";
import { runContactEnrichment } from "./run";

const contactEnrichmentMessage = z.object({
  kind: z.literal("contact_enrichment"),
  recordId: z.string().min(1),
  orgId: z.string().min(1),
});

const RETRY_DELAY_SECONDS = 10;

/**
 * The task behind `{kind:"contact_enrichment", recordId, orgId}`. Resolving means done (ack); a throw (D1 or a
 * queue unavailable) means retry, which is safe: a second run of the same record changes nothing and charges
 * nothing. A malformed body can never succeed, so it is logged and dropped.
 */
export async function handleContactEnrichmentTask(body: unknown, env: Env, connections?: Semaphore): Promise<void> {
  const parsed = contactEnrichmentMessage.safeParse(body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: "error", message: "malformed contact_enrichment message", issues: parsed.error.issues.length }));
    return;
  }
  await runContactEnrichment(env, { recordId: parsed.data.recordId, orgId: parsed.data.orgId }, connections);
}

/** The part of the provider-calls consumer's per-invocation context this task uses. */
interface ConsumerContext {
  env: Env;
  connections: Semaphore;
}

/** The provider-calls dispatch entry: each message acked or retried on its own, all sharing the invocation's connection cap. */
export async function runContactEnrichments(messages: Message<unknown>[], context: ConsumerContext): Promise<void> {
  await Promise.all(
    messages.map(async (message) => {
      try {
        await handleContactEnrichmentTask(message.body, context.env, context.connections);
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ level: "error", message: "contact_enrichment task failed", error: String(error) }));
        message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
      }
    }),
  );
}
