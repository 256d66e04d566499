import { autoEnrichmentState } from "../../db/schema/auto-enrichment";
import type { Db } from "../../platform/db/client";
import { decodeRow } from "../../platform/db/decode-row";
import { rawStatement, runStatements } from "../../platform/db/statements";
import type { Env } from "../../platform/env";
import { newEvent, publish } from "../../platform/events";
import type { Caller } from "../../platform/http/context";
import { nowIso } from "../../platform/lib/time";
import { auditStatementIf } from "../tenancy";
import { sqlFragment } from "../../platform/db/sql-fragment";
import { sendJobsAfterCommit } from "./dispatch";

type StateRow = typeof autoEnrichmentState.$inferSelect;

/** Waiting jobs re-sent by one resume request, oldest first; the cron sends the rest. */
const RESUME_SEND_LIMIT = 1000;

const rows = (result: D1Result | undefined) => (result?.results ?? []) as Record<string, unknown>[];

const backlogQuery = (db: Db, orgId: string) =>
  rawStatement(
    db,
    `SELECT status, count(*) AS n, min(created_at) AS oldest FROM auto_enrichment_jobs
     WHERE org_id = ? AND status IN ('queued', 'running', 'paused') GROUP BY status`,
    orgId,
  );

export function presentState(stateRaw: Record<string, unknown> | undefined, backlogRows: Record<string, unknown>[]) {
  const state: StateRow | undefined = stateRaw ? decodeRow(autoEnrichmentState, stateRaw) : undefined;
  const count = (status: string) => Number(backlogRows.find((r) => r.status === status)?.n ?? 0);
  const oldestQueued = backlogRows.find((r) => r.status === "queued")?.oldest;
  return {
    status: state?.paused ? ("paused" as const) : ("active" as const),
    paused: state?.paused ?? false,
    pausedAt: state?.paused ? state.pausedAt : null,
    pausedByKeyId: state?.paused ? state.pausedByKeyId : null,
    reason: state?.paused ? state.reason : null,
    resumedAt: state?.resumedAt ?? null,
    backlog: { queued: count("queued"), running: count("running"), paused: count("paused") },
    oldestQueuedAt: typeof oldestQueued === "string" ? oldestQueued : null,
  };
}

export type PipelineState = ReturnType<typeof presentState>;

export async function pipelineState(db: Db, orgId: string): Promise<PipelineState> {
  const [state, backlog] = await runStatements(db, [rawStatement(db, "SELECT * FROM auto_enrichment_state WHERE org_id = ?", orgId), backlogQuery(db, orgId)]);
  return presentState(rows(state)[0], rows(backlog));
}

/**
 * Pauses the pipeline: no claim succeeds while paused, so no new provider call is made (runs already past their claim
 * finish). Idempotent: pausing a paused pipeline changes nothing and fires nothing. One batch: the state, its audit row
 * (only when this call paused it), the state as it is.
 */
export async function pausePipeline(env: Env, db: Db, caller: Caller, reason: string | null): Promise<PipelineState> {
  const now = nowIso();
  const [changed, state, backlog] = await runStatements(db, [
    rawStatement(
      db,
      `INSERT INTO auto_enrichment_state (org_id, paused, paused_at, paused_by_key_id, reason, updated_at) VALUES (?, 1, ?, ?, ?, ?)
       ON CONFLICT (org_id) DO UPDATE SET paused = 1, paused_at = excluded.paused_at, paused_by_key_id = excluded.paused_by_key_id,
         reason = excluded.reason, updated_at = excluded.updated_at WHERE auto_enrichment_state.paused = 0
       RETURNING org_id`,
      caller.orgId,
      now,
      caller.keyId,
      reason,
      now,
    ),
    rawStatement(db, "SELECT * FROM auto_enrichment_state WHERE org_id = ?", caller.orgId),
    backlogQuery(db, caller.orgId),
    auditStatementIf(
      db,
      { orgId: caller.orgId, actorKeyId: caller.keyId, action: "auto_enrichment.paused", targetType: "auto_enrichment_pipeline", targetId: caller.orgId, data: { reason } },
      sqlFragment("EXISTS (SELECT 1 FROM auto_enrichment_state WHERE org_id = ? AND paused = 1 AND paused_at = ?)", caller.orgId, now),
    ),
  ]);
  const present = presentState(rows(state)[0], rows(backlog));
  if (rows(changed).length > 0) await publish(env, [newEvent("auto_enrichment.paused", caller.orgId, { reason, pausedAt: now, pausedByKeyId: caller.keyId })]);
  return present;
}

/**
 * Resumes: waiting work (parked `paused` jobs and queued ones) is sent again oldest first, so it runs in the order it
 * arrived. Idempotent: resuming a running pipeline changes nothing and fires nothing (queued jobs are still sent again,
 * which only helps a lost message; a claim runs each job once).
 */
export async function resumePipeline(env: Env, db: Db, caller: Caller): Promise<PipelineState> {
  const now = nowIso();
  const [changed, , waiting, state, backlog] = await runStatements(db, [
    rawStatement(
      db,
      `UPDATE auto_enrichment_state SET paused = 0, resumed_at = ?, resumed_by_key_id = ?, updated_at = ? WHERE org_id = ? AND paused = 1
       RETURNING org_id`,
      now,
      caller.keyId,
      now,
      caller.orgId,
    ),
    rawStatement(db, "UPDATE auto_enrichment_jobs SET status = 'queued', dispatched_at = ?, updated_at = ? WHERE org_id = ? AND status = 'paused'", now, now, caller.orgId),
    rawStatement(db, "SELECT id FROM auto_enrichment_jobs WHERE org_id = ? AND status = 'queued' ORDER BY created_at, id LIMIT ?", caller.orgId, RESUME_SEND_LIMIT),
    rawStatement(db, "SELECT * FROM auto_enrichment_state WHERE org_id = ?", caller.orgId),
    backlogQuery(db, caller.orgId),
    auditStatementIf(
      db,
      { orgId: caller.orgId, actorKeyId: caller.keyId, action: "auto_enrichment.resumed", targetType: "auto_enrichment_pipeline", targetId: caller.orgId },
      sqlFragment("EXISTS (SELECT 1 FROM auto_enrichment_state WHERE org_id = ? AND paused = 0 AND resumed_at = ?)", caller.orgId, now),
    ),
  ]);
  await sendJobsAfterCommit(env, rows(waiting).map((r) => ({ orgId: caller.orgId, jobId: String(r.id) })));
  if (rows(changed).length > 0) await publish(env, [newEvent("auto_enrichment.resumed", caller.orgId, { resumedAt: now, resumedByKeyId: caller.keyId })]);
  return presentState(rows(state)[0], rows(backlog));
}
