import { z } from "zod";
import type { Env } from "../../platform/env";
import { chunks } from "../../platform/lib/chunks";

/** What travels on the `auto-enrichment` queue: a pointer to the job row, which holds everything else. */
export const jobMessageSchema = z.object({ orgId: z.string().min(1), jobId: z.string().min(1) });
export type JobMessage = z.infer<typeof jobMessageSchema>;

/** Queue messages per sendBatch call (the Queues limit). */
const SEND_BATCH_LIMIT = 100;

/** Sends one message per job, in the order given (oldest first when resuming). */
export async function sendJobs(env: Env, messages: JobMessage[]): Promise<void> {
  for (const group of chunks(messages, SEND_BATCH_LIMIT)) {
    await env.AUTO_ENRICHMENT.sendBatch(group.map((body) => ({ body, contentType: "json" as const })));
  }
}

/** After a commit: a failed send is not lost work (the cron sends queued jobs whose message is old), only logged. */
export async function sendJobsAfterCommit(env: Env, messages: JobMessage[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    await sendJobs(env, messages);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "auto-enrichment messages not sent; the cron will", count: messages.length, error: String(error) }));
  }
}
