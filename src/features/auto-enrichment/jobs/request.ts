import { and, eq, inArray } from "drizzle-orm";
import { autoEnrichmentJobs } from "../../../db/schema/auto-enrichment";
import { entities } from "../../../db/schema/entities";
import type { EntityType } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { decodeRow } from "../../../platform/db/decode-row";
import { sqlFragment } from "../../../platform/db/sql-fragment";
import { IN_LIST_LIMIT, prepared, rawStatement, runStatements } from "../../../platform/db/statements";
import type { Env } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { chunks } from "../../../platform/lib/chunks";
import { nowIso } from "../../../platform/lib/time";
import { catalogFor } from "../../catalog";
import { auditStatement, auditStatementIf } from "../../tenancy";
import { integrationProblem } from "../config/check";
import { sendJobsAfterCommit } from "../dispatch";
import { insertJobStatement, newJobIds } from "./insert";
import { getJobRow, presentJob } from "./read";

export const MAX_MANUAL_ENTITIES = 1000;
/** Entities per D1 batch of job inserts. */
const INSERT_CHUNK = 50;

export interface ManualRun {
  entityIds: string[];
  /** Instead of the configuration's integrations. */
  integrationCodes?: string[];
  /** Run even within the cooldown. */
  force?: boolean;
}

const invalid = (message: string, details: { path: string; message: string }[]) => new ApiError("VALIDATION_ERROR", message, { details });

/**
 * `POST /v1/auto-enrichment/jobs`: one manual job per entity, through the same pipeline (a waiting job of the entity
 * absorbs it). Every entity must be the organization's; nothing is written otherwise.
 */
export async function requestJobs(env: Env, db: Db, caller: Caller, input: ManualRun) {
  const ids = input.entityIds;
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined) throw invalid("An entity is listed twice", [{ path: `entityIds.${i}`, message: `Same entity as entityIds.${first}` }]);
    seen.set(id, i);
  });
  const types = new Map<string, EntityType>();
  for (const chunk of chunks(ids, IN_LIST_LIMIT)) {
    const rows = await db
      .select({ id: entities.id, type: entities.type })
      .from(entities)
      .where(and(eq(entities.orgId, caller.orgId), inArray(entities.id, chunk)));
    for (const r of rows) types.set(r.id, r.type);
  }
  const unknown = ids.flatMap((id, i) => (types.has(id) ? [] : [{ path: `entityIds.${i}`, message: "No such entity in this organization" }]));
  if (unknown.length > 0) throw invalid(`${unknown.length} entity id(s) not found in this organization`, unknown);
  if (input.integrationCodes) {
    const catalog = await catalogFor(db, caller.orgId);
    const problems = input.integrationCodes.flatMap((code, i) =>
      [...new Set(types.values())].flatMap((type) => {
        const problem = integrationProblem(catalog, code, type);
        return problem ? [{ path: `integrationCodes.${i}`, message: problem }] : [];
      }),
    );
    if (problems.length > 0) throw invalid("Unknown or unsuitable integration codes", problems);
  }

  const now = nowIso();
  const jobs: { entityId: string; jobId: string; coalesced: boolean }[] = [];
  const fresh: string[] = [];
  for (const group of chunks(ids, INSERT_CHUNK)) {
    const statements = group.map((entityId) =>
      insertJobStatement(
        db,
        {
          orgId: caller.orgId,
          entityId,
          entityType: types.get(entityId) ?? "person",
          trigger: "manual",
          triggerFields: [],
          integrationCodes: input.integrationCodes ?? null,
          force: input.force ?? false,
          createdByKeyId: caller.keyId,
          now,
        },
        "merge",
      ),
    );
    const results = await runStatements(db, statements);
    group.forEach((entityId, i) => {
      const [row] = (results[i]?.results ?? []) as { id: string; coalesced: number }[];
      if (row) jobs.push({ entityId, jobId: row.id, coalesced: row.coalesced > 0 });
    });
    fresh.push(...newJobIds(results));
  }
  await runStatements(db, [
    prepared(
      db,
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "auto_enrichment.jobs_requested",
        targetType: "auto_enrichment_job",
        targetId: null,
        data: { entityCount: ids.length, jobIds: jobs.map((j) => j.jobId).slice(0, 100), integrationCodes: input.integrationCodes ?? null, force: input.force ?? false },
      }),
    ),
  ]);
  await sendJobsAfterCommit(env, fresh.map((jobId) => ({ orgId: caller.orgId, jobId })));
  return { jobIds: jobs.map((j) => j.jobId), jobs };
}

/** What a retry may run again: failed integrations, or everything when the job was skipped for room (budget, credits, cooldown). */
const RETRYABLE_SKIPS = new Set(["BUDGET_EXHAUSTED", "INSUFFICIENT_CREDITS", "COOLDOWN"]);

/**
 * `POST …/jobs/{id}/retry`: a new job of the same entity that runs only what did not succeed, so it charges only new
 * successes. 409 when there is nothing to retry, the job was already retried, or the entity already has a waiting job.
 */
export async function retryJob(env: Env, db: Db, caller: Caller, id: string) {
  const job = await getJobRow(db, caller.orgId, id);
  if (job.retriedBy) throw new ApiError("CONFLICT", `This job was already retried as ${job.retriedBy}`, { details: { retriedBy: job.retriedBy } });
  let codes: string[] | null;
  if (job.status === "failed" || job.status === "partial") {
    const failed = job.results.filter((r) => r.status === "failed").map((r) => r.integrationCode);
    if (failed.length === 0 && job.results.length > 0) throw new ApiError("CONFLICT", "Nothing to retry: no integration of this job failed");
    codes = failed.length > 0 ? failed : job.integrationCodes;
  } else if (job.status === "skipped" && job.skipReason && RETRYABLE_SKIPS.has(job.skipReason)) {
    codes = job.integrationCodes;
  } else {
    throw new ApiError("CONFLICT", `Nothing to retry: the job is ${job.status}${job.skipReason ? ` (${job.skipReason})` : ""}`);
  }
  const now = nowIso();
  const retryId = crypto.randomUUID();
  const created = sqlFragment("EXISTS (SELECT 1 FROM auto_enrichment_jobs WHERE id = ?)", retryId);
  const [inserted, , read] = await runStatements(db, [
    insertJobStatement(
      db,
      {
        id: retryId,
        orgId: caller.orgId,
        entityId: job.entityId,
        entityType: job.entityType,
        trigger: "retry",
        triggerFields: [],
        integrationCodes: codes,
        retryOf: job.id,
        createdByKeyId: caller.keyId,
        now,
      },
      "skip",
      sqlFragment("NOT EXISTS (SELECT 1 FROM auto_enrichment_jobs WHERE id = ? AND retried_by IS NOT NULL)", job.id),
    ),
    rawStatement(db, `UPDATE auto_enrichment_jobs SET retried_by = ?, updated_at = ? WHERE id = ? AND retried_by IS NULL AND ${created.sql}`, retryId, now, job.id, ...created.params),
    rawStatement(db, "SELECT * FROM auto_enrichment_jobs WHERE id = ?", retryId),
    auditStatementIf(
      db,
      {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "auto_enrichment.job_retried",
        targetType: "auto_enrichment_job",
        targetId: job.id,
        data: { retryJobId: retryId, integrationCodes: codes },
      },
      created,
    ),
  ]);
  const [raw] = (read?.results ?? []) as Record<string, unknown>[];
  if ((inserted?.results ?? []).length === 0 || !raw) throw new ApiError("CONFLICT", "This entity already has a waiting job, or the job was just retried");
  await sendJobsAfterCommit(env, [{ orgId: caller.orgId, jobId: retryId }]);
  return presentJob(decodeRow(autoEnrichmentJobs, raw));
}
