import { and, desc, eq, sql } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { jobs } from "../../db/schema/jobs";
import type { Env } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import type { ActionAnswer } from "./engine/enrichment-job";
import { getJobStub, jobReader } from "./engine/stub";
import type { Decision, EntityStatus, JobSnapshot, JobStatus } from "./engine/types";
import { taskKindOf } from "./engine/task-kind";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { type JobRow, getJobRow } from "./create";
import type { EntityType } from "../../domain/attributes";

/** The row as D1 has it, overlaid with the object's live view when there is one. */
export function presentJob(row: JobRow, live: JobSnapshot | null) {
  const status = live?.status ?? row.status;
  const counts = live?.counts ?? {
    total: row.entityCount,
    queued: Math.max(0, row.entityCount - row.running - row.succeeded - row.failed - row.cancelled),
    running: row.running,
    succeeded: row.succeeded,
    failed: row.failed,
    cancelled: row.cancelled,
  };
  const startedAt = live?.startedAt ?? row.startedAt;
  const finishedAt = live?.finishedAt ?? row.finishedAt;
  return {
    id: row.id,
    kind: row.kind,
    status,
    pausedReason: live?.pauseReason ?? null,
    strategy: row.strategy,
    integrationCodes: row.integrationCodes,
    entityTypes: row.entityTypes,
    entityCount: row.entityCount,
    counts,
    credits: live?.credits ?? row.credits,
    costCents: live?.costCents ?? row.costCents,
    reservedCredits: row.reservedCredits,
    skippedRowCount: row.skippedRows.length,
    webhookId: row.webhookId,
    parentJobId: row.parentJobId,
    details: row.details ?? null,
    createdAt: row.createdAt,
    startedAt,
    finishedAt,
    updatedAt: live?.updatedAt ?? row.updatedAt,
    durationMs: startedAt ? (finishedAt ? Date.parse(finishedAt) : Date.now()) - Date.parse(startedAt) : null,
  };
}

export async function getJob(env: Env, db: Db, orgId: string, jobId: string) {
  const row = await getJobRow(db, orgId, jobId);
  return { ...presentJob(row, await getJobStub(env, jobId).snapshot()), skippedRows: row.skippedRows };
}

export interface JobListQuery {
  status?: JobStatus;
  entityType?: EntityType;
  limit: number;
  cursor?: Cursor;
}

/** Newest first, from D1 (counts as of the object's last write). */
export async function listJobs(db: Db, orgId: string, query: JobListQuery) {
  const rows = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.orgId, orgId),
        query.status ? eq(jobs.status, query.status) : undefined,
        query.entityType ? sql`EXISTS (SELECT 1 FROM json_each(${jobs.entityTypes}) WHERE value = ${query.entityType})` : undefined,
        afterCursor(jobs.createdAt, jobs.id, query.cursor),
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map((r) => presentJob(r, null)), nextCursor: page.nextCursor };
}

export type JobAction = "pause" | "resume" | "cancel" | "continue";

const allowedFrom: Record<JobAction, string> = { pause: "processing", resume: "paused", cancel: "processing or paused", continue: "paused" };

export async function actOnJob(env: Env, db: Db, caller: Caller, jobId: string, action: JobAction, decision: Decision = "proceed") {
  const row = await getJobRow(db, caller.orgId, jobId);
  const stub = getJobStub(env, jobId);
  const answer: ActionAnswer =
    action === "pause"
      ? await stub.pause(caller.keyId)
      : action === "resume"
        ? await stub.resume(caller.keyId)
        : action === "continue"
          ? await stub.decide(decision, caller.keyId)
          : await stub.cancel(caller.keyId);
  if (!answer.ok) {
    throw new ApiError("CONFLICT", `Cannot ${action} a job that is ${answer.snapshot.status}; it must be ${allowedFrom[action]}`);
  }
  return presentJob(row, answer.snapshot);
}

/** Results pages are keyed by entity position in the job, so they are stable while the job runs. */
export async function jobResults(env: Env, db: Db, orgId: string, jobId: string, opts: { limit: number; cursor?: string; status?: EntityStatus }) {
  const row = await getJobRow(db, orgId, jobId);
  const { presentOutcome } = taskKindOf({ kind: row.kind });
  const from = opts.cursor ? Number.parseInt(opts.cursor, 10) : 0;
  if (!Number.isInteger(from) || from < 0) throw new ApiError("VALIDATION_ERROR", "Invalid cursor", { details: [{ path: "cursor", message: "Invalid cursor" }] });
  const outcomes = await jobReader(env, jobId).outcomes(from, opts.limit + 1, opts.status ? [opts.status] : undefined);
  const page = outcomes.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { data: page.map(presentOutcome), nextCursor: outcomes.length > opts.limit && last ? String(last.entityIndex + 1) : null };
}

/**
 * The job's event stream (the one call to its object that is not RPC: it answers with the stream itself), for the
 * organization's job only. `lastEventId` replays only what came after it.
 */
export async function openJobEvents(env: Env, db: Db, orgId: string, jobId: string, opts: JobEventOptions = {}): Promise<Response> {
  await getJobRow(db, orgId, jobId);
  return jobEventStream(env, jobId, opts);
}

export interface JobEventOptions {
  heartbeat?: number;
  lastEventId?: string;
}

/** The event stream of a job the caller already holds (it just created it, or checked it is the organization's). */
export async function jobEventStream(env: Env, jobId: string, opts: JobEventOptions = {}): Promise<Response> {
  const url = new URL("https://job/events");
  if (opts.heartbeat) url.searchParams.set("heartbeat", String(opts.heartbeat));
  if (opts.lastEventId) url.searchParams.set("lastEventId", opts.lastEventId);
  const res = await getJobStub(env, jobId).fetch(new Request(url));
  if (res.status === 404) throw new ApiError("NOT_FOUND", "This job has not started, so it has no events");
  return res;
}
