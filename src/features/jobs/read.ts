import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { jobs } from "../../db/schema/jobs";
import { entities } from "../../db/schema/entities";
import type { Env } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import type { ActionAnswer } from "./engine/enrichment-job";
import { getJobStub, jobReader } from "./engine/stub";
import type { Decision, EntityOutcome, EntityStatus, JobSnapshot, JobStatus } from "./engine/types";
import { taskKindOf } from "./engine/task-kind";
import { entityError } from "./integration-task/outcomes";
import { INTEGRATION_TASK } from "./integration-task/kind";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { type JobRow, getJobRow } from "./create";
import { toCsv } from "./csv";
import { IN_LIST_LIMIT } from "../../platform/db/statements";
import { chunks } from "../../platform/lib/chunks";
import type { IntegrationTaskResult } from "./integration-task/spec";
import type { EntityType } from "../../domain/attributes";

/** The row as D1 has it, overlaid with the object's live view when there is one. */
export function presentJob(row: JobRow, live: JobSnapshot | null) {
  const status = live?.status ?? row.status;
  const counts = live?.counts ?? {
    total: row.entityCount,
    pending: Math.max(0, row.entityCount - row.succeeded - row.failed - row.cancelled),
    running: 0,
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
  return presentJob(row, await getJobStub(env, jobId).snapshot());
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

const CSV_CHUNK = 200;

/** An integration job's entity outcome: its results are enrichment results (without the entity fields). */
type IntegrationOutcome = Omit<EntityOutcome, "results"> & { results: IntegrationTaskResult[] };

/** Every entity's outcome, with the value each field found by this job now has on the entity. */
export async function jobResultsCsv(env: Env, db: Db, orgId: string, jobId: string): Promise<string> {
  const row = await getJobRow(db, orgId, jobId);
  const reader = jobReader(env, jobId);
  const outcomes: IntegrationOutcome[] = [];
  for (let from = 0; ; from += CSV_CHUNK) {
    const chunk = await reader.outcomes(from, CSV_CHUNK);
    outcomes.push(...(chunk as IntegrationOutcome[]));
    if (chunk.length < CSV_CHUNK) break;
  }
  if (row.kind !== INTEGRATION_TASK) return kindCsv(outcomes);
  const fieldNames = [...new Set(outcomes.flatMap((o) => o.results.flatMap((r) => (r.success ? (r.result?.fieldsEnriched ?? []) : []))))].sort();
  const enriched = await enrichedFields(db, orgId, outcomes.map((o) => o.entityId));
  const rows = outcomes.map((o) => {
    const found = new Set(o.results.flatMap((r) => (r.success ? (r.result?.fieldsEnriched ?? []) : [])));
    const fields = enriched.get(o.entityId) ?? {};
    return {
      entity_index: o.entityIndex,
      entity_id: o.entityId,
      external_id: o.externalId,
      status: o.status,
      error_code: entityError(o)?.code,
      credits: o.results.reduce((s, r) => s + (r.success ? r.credits : 0), 0),
      cost_cents: o.results.reduce((s, r) => s + r.costCents, 0),
      ...Object.fromEntries(row.integrationCodes.map((code) => [`${code}.status`, o.results.find((r) => r.integrationCode === code)?.status])),
      ...Object.fromEntries(fieldNames.map((f) => [f, found.has(f) ? fields[f]?.value : undefined])),
    };
  });
  const columns = ["entity_index", "entity_id", "external_id", "status", "error_code", "credits", "cost_cents", ...row.integrationCodes.map((c) => `${c}.status`), ...fieldNames];
  return toCsv(rows, columns);
}

const KIND_COLUMNS = ["entity_index", "entity_id", "external_id", "status", "error_code", "skipped", "credits"];

/** Another kind's results: one row per entity with what every kind's outcome has. */
function kindCsv(outcomes: EntityOutcome[]): string {
  const rows = outcomes.map((o) => ({
    entity_index: o.entityIndex,
    entity_id: o.entityId || undefined,
    external_id: o.externalId,
    status: o.status,
    error_code: entityError(o)?.code,
    skipped: o.skipped?.code,
    credits: o.results.reduce((s, r) => s + (r.success ? r.credits : 0), 0),
  }));
  return toCsv(rows, KIND_COLUMNS);
}

async function enrichedFields(db: Db, orgId: string, ids: string[]) {
  const out = new Map<string, Record<string, { value: unknown }>>();
  for (const chunk of chunks(ids, IN_LIST_LIMIT)) {
    const rows = await db
      .select({ id: entities.id, enriched: entities.enriched })
      .from(entities)
      .where(and(eq(entities.orgId, orgId), inArray(entities.id, chunk)));
    for (const r of rows) out.set(r.id, r.enriched);
  }
  return out;
}

/**
 * The job's event stream (the one call to its object that is not RPC: it answers with the stream itself), for the
 * organization's job only. `lastEventId` replays only what came after it.
 */
export async function openJobEvents(env: Env, db: Db, orgId: string, jobId: string, opts: { heartbeat?: number; lastEventId?: string } = {}): Promise<Response> {
  await getJobRow(db, orgId, jobId);
  const url = new URL("https://job/events");
  if (opts.heartbeat) url.searchParams.set("heartbeat", String(opts.heartbeat));
  if (opts.lastEventId) url.searchParams.set("lastEventId", opts.lastEventId);
  const res = await getJobStub(env, jobId).fetch(new Request(url));
  if (res.status === 404) throw new ApiError("NOT_FOUND", "This job has not started, so it has no events");
  return res;
}
