import { autoEnrichmentJobs } from "../../../db/schema/auto-enrichment";
import { createDb } from "../../../platform/db/client";
import { decodeRow } from "../../../platform/db/decode-row";
import { rawStatement } from "../../../platform/db/statements";
import { readSettings } from "../../../platform/env";
import { Semaphore } from "../../../platform/lib/semaphore";
import type { QueueConsumer } from "../../../platform/queue-context";
import { jobMessageSchema } from "../dispatch";
import { type SettledJob, publishJobOutboxes } from "../events";
import { type PipelineContext, abandonRun, runAutoJob } from "./run-job";

/** Exponential redelivery delay for a job that went back to the queue. */
const retryDelay = (attempts: number) => Math.min(300, 5 * 2 ** Math.max(0, attempts - 1));

/**
 * The `auto-enrichment` queue: each message names one job; the jobs of a batch run side by side under one connection
 * cap, and each message is acked or retried on its own. A malformed body can never succeed and is dropped.
 */
export const consumeAutoEnrichment: QueueConsumer = async (batch, env) => {
  const settings = readSettings(env);
  const settled: SettledJob[] = [];
  const ctx: PipelineContext = {
    env,
    settings,
    db: createDb(env.DB),
    connections: new Semaphore(settings.MAX_CONNECTIONS_PER_INVOCATION),
    runSlots: new Semaphore(settings.MAX_CONNECTIONS_PER_INVOCATION),
    cacheWrites: [],
    settled: (job) => settled.push(job),
    plans: new Map(),
  };
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = jobMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        console.error(JSON.stringify({ level: "error", message: "malformed auto-enrichment message dropped", id: message.id }));
        message.ack();
        return;
      }
      try {
        const outcome = await runAutoJob(ctx, parsed.data.orgId, parsed.data.jobId);
        if (outcome === "retry") message.retry({ delaySeconds: retryDelay(message.attempts) });
        else message.ack();
      } catch (error) {
        console.error(JSON.stringify({ level: "error", message: "auto-enrichment message failed", jobId: parsed.data.jobId, error: String(error) }));
        message.retry({ delaySeconds: retryDelay(message.attempts) });
      }
    }),
  );
  // The batch's events in one publish; if this fails the jobs stay unpublished and the cron publishes them (same ids).
  await Promise.all([publishJobOutboxes(env, ctx.db, settled).catch((error) => console.error(JSON.stringify({ level: "error", message: "auto-enrichment events not published; the cron will", error: String(error) }))), ...ctx.cacheWrites]);
};

/**
 * The dead-letter queue: a job whose message failed every delivery is failed (its holds released) rather than left
 * queued forever; a job that finished meanwhile is only published, if it was not.
 */
export const consumeAutoEnrichmentDeadLetters: QueueConsumer = async (batch, env) => {
  const db = createDb(env.DB);
  const settled: SettledJob[] = [];
  for (const message of batch.messages) {
    const parsed = jobMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      message.ack();
      continue;
    }
    const { orgId, jobId } = parsed.data;
    try {
      const raw = await rawStatement(db, "SELECT * FROM auto_enrichment_jobs WHERE id = ? AND org_id = ?", jobId, orgId).first<Record<string, unknown>>();
      const job = raw ? decodeRow(autoEnrichmentJobs, raw) : undefined;
      const failure = { code: "DEAD_LETTERED", message: "The job's message failed every delivery" };
      if (job?.status === "running" && job.runToken) await abandonRun({ env, db, settled: (j) => settled.push(j) }, { orgId, jobId, token: job.runToken }, job, failure);
      else if (job?.status === "queued") {
        const now = new Date().toISOString();
        await rawStatement(
          db,
          "UPDATE auto_enrichment_jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
          JSON.stringify(failure),
          now,
          now,
          jobId,
        ).run();
      } else if (job && !job.publishedAt && job.status !== "paused") settled.push(job);
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ level: "error", message: "auto-enrichment dead letter not handled", jobId, error: String(error) }));
      message.retry({ delaySeconds: 60 });
    }
  }
  await publishJobOutboxes(env, db, settled);
};
