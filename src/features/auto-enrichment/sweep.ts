import { autoEnrichmentJobs } from "../../db/schema/auto-enrichment";
import { ENTITY_TYPES } from "../../domain/attributes";
import { type Db, createDb } from "../../platform/db/client";
import { decodeRow } from "../../platform/db/decode-row";
import { rawStatement, runStatements } from "../../platform/db/statements";
import type { Env } from "../../platform/env";
import { chunks } from "../../platform/lib/chunks";
import { budgetWindowsQuery, currentWindows } from "./budget/read";
import { ConfigSchema } from "./config/schema";
import { type SettledJob, publishJobOutboxes } from "./events";
import { sendJobsAfterCommit } from "./dispatch";
import { insertJobStatement, newJobIds } from "./jobs/insert";
import { MAX_ATTEMPTS, abandonRun } from "./pipeline/run-job";

/** A queued job whose message is older than this is sent again (its message was lost, or is far behind). */
export const LOST_SEND_AGE_MS = 2 * 60_000;
/** Job inserts per D1 batch. */
const INSERT_CHUNK = 50;
/** Rows one sweep handles per kind of work; the next run takes the rest. */
const SWEEP_LIMIT = 500;

type Row = Record<string, unknown>;
const rowsOf = (r: D1Result | undefined) => (r?.results ?? []) as Row[];

/**
 * The cron's part of the pipeline: re-sends queued jobs whose message was lost (the trigger's send happens after its
 * commit and may not), gives back jobs whose run died (lease expired: holds released, queued again or failed after
 * MAX_ATTEMPTS), publishes settled jobs whose events were not, and queues stale entities for a refresh.
 */
export async function sweepAutoEnrichment(env: Env, scheduledTime: number): Promise<void> {
  const db = createDb(env.DB);
  const now = new Date(scheduledTime).toISOString();
  await releaseExpiredLeases(env, db, now);
  await resendLostJobs(env, db, scheduledTime);
  await republishOutboxes(env, db, scheduledTime);
  await queueStaleEntities(env, db, scheduledTime);
}

async function releaseExpiredLeases(env: Env, db: Db, now: string) {
  const expired = rowsOf(
    await rawStatement(db, "SELECT * FROM auto_enrichment_jobs WHERE status = 'running' AND lease_until < ? LIMIT ?", now, SWEEP_LIMIT).all(),
  ).map((r) => decodeRow(autoEnrichmentJobs, r));
  const requeued: { orgId: string; jobId: string }[] = [];
  const failed: SettledJob[] = [];
  for (const job of expired) {
    if (!job.runToken) continue;
    const failure = job.attempts >= MAX_ATTEMPTS ? { code: "ENRICHMENT_TIMEOUT", message: `No run of this job finished in ${job.attempts} attempts` } : null;
    await abandonRun({ env, db, settled: (j) => failed.push(j) }, { orgId: job.orgId, jobId: job.id, token: job.runToken }, job, failure);
    if (!failure) requeued.push({ orgId: job.orgId, jobId: job.id });
  }
  await sendJobsAfterCommit(env, requeued);
  await publishJobOutboxes(env, db, failed);
}

async function resendLostJobs(env: Env, db: Db, at: number) {
  const before = new Date(at - LOST_SEND_AGE_MS).toISOString();
  const resent = rowsOf(
    await rawStatement(
      db,
      `UPDATE auto_enrichment_jobs SET dispatched_at = ? WHERE id IN (
         SELECT id FROM auto_enrichment_jobs WHERE status = 'queued' AND (dispatched_at IS NULL OR dispatched_at < ?) ORDER BY created_at LIMIT ?)
       RETURNING id, org_id, created_at`,
      new Date(at).toISOString(),
      before,
      SWEEP_LIMIT,
    ).all(),
  ).sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  await sendJobsAfterCommit(env, resent.map((r) => ({ orgId: String(r.org_id), jobId: String(r.id) })));
}

async function republishOutboxes(env: Env, db: Db, at: number) {
  const before = new Date(at - LOST_SEND_AGE_MS).toISOString();
  const unpublished = rowsOf(
    await rawStatement(
      db,
      `SELECT * FROM auto_enrichment_jobs WHERE published_at IS NULL AND status IN ('succeeded', 'partial', 'failed', 'skipped')
         AND finished_at < ? LIMIT ?`,
      before,
      SWEEP_LIMIT,
    ).all(),
  ).map((r) => decodeRow(autoEnrichmentJobs, r));
  await publishJobOutboxes(env, db, unpublished);
}

/** Organizations with the staleness trigger on, not paused. */
async function queueStaleEntities(env: Env, db: Db, at: number) {
  const orgs = rowsOf(
    await rawStatement(
      db,
      `SELECT c.org_id, c.config FROM auto_enrichment_configs c
       WHERE json_extract(c.config, '$.enabled') = 1 AND json_extract(c.config, '$.triggers.staleness.enabled') = 1
         AND NOT EXISTS (SELECT 1 FROM auto_enrichment_state s WHERE s.org_id = c.org_id AND s.paused = 1)`,
    ).all(),
  );
  for (const org of orgs) {
    const orgId = String(org.org_id);
    const config = ConfigSchema.parse(JSON.parse(String(org.config)));
    const windows = currentWindows(config, at);
    const usage = rowsOf(await budgetWindowsQuery(db, orgId, windows).all());
    const used = (period: string) => usage.filter((u) => u.period === period).reduce((s, u) => s + Number(u.spent) + Number(u.reserved), 0);
    const full = (config.budget.dailyCredits !== null && used("day") >= config.budget.dailyCredits) || (config.budget.monthlyCredits !== null && used("month") >= config.budget.monthlyCredits);
    if (full) continue;
    const { refreshAfterDays, maxEntitiesPerRun } = config.triggers.staleness;
    const cutoff = new Date(at - refreshAfterDays * 86_400_000).toISOString();
    const types = ENTITY_TYPES.filter((t) => config.entityTypes[t].enabled && config.entityTypes[t].integrationCodes.length + config.entityTypes[t].enrichmentGroupRefs.length > 0);
    let room = maxEntitiesPerRun;
    const fresh: string[] = [];
    for (const type of types) {
      if (room <= 0) break;
      const stale = rowsOf(
        await rawStatement(
          db,
          `SELECT e.id FROM entities e WHERE e.org_id = ? AND e.type = ? AND e.created_at < ?
             AND NOT EXISTS (SELECT 1 FROM auto_enrichment_jobs j WHERE j.org_id = e.org_id AND j.entity_id = e.id
               AND (j.status IN ('queued', 'paused', 'running') OR j.created_at >= ?))
           ORDER BY e.created_at LIMIT ?`,
          orgId,
          type,
          cutoff,
          cutoff,
          room,
        ).all(),
      );
      room -= stale.length;
      const now = new Date(at).toISOString();
      const inserts = stale.map((e) =>
        insertJobStatement(db, { orgId, entityId: String(e.id), entityType: type, trigger: "stale", triggerFields: [], integrationCodes: null, createdByKeyId: null, now }, "skip"),
      );
      for (const group of chunks(inserts, INSERT_CHUNK)) fresh.push(...newJobIds(await runStatements(db, group)));
    }
    await sendJobsAfterCommit(env, fresh.map((jobId) => ({ orgId, jobId })));
  }
}
