import { and, eq } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { jobs } from "../../db/schema/jobs";
import { webhooks } from "../../db/schema/webhooks";
import { type EnrichRequest, maxChargeOf, planRun } from "../enrichment";
import type { Env } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import { getJobStub, jobReader } from "./engine/stub";
import type { Strategy } from "../../domain/vocabulary";
import { INTEGRATION_TASK } from "./integration-task/kind";
import { ENTITY_LANE, type IntegrationJobSpec, WATERFALL_LANE, integrationSpec, taskPerEntity } from "./integration-task/spec";
import { nowIso } from "../../platform/lib/time";
import { isEnabled } from "../catalog";
import { type JobEntityInput, prepareEntities, writeEntities } from "./entities";
import type { SkippedRow } from "../../db/schema/jobs";
import type { CsvUpload } from "./csv/read";
import { type OnInvalidRow, prepareCsvRows } from "./csv/rows";
import { assertFreeForm } from "../../platform/lib/json-limits";
import { type JobLaunch, launchJob, writeJob } from "./launch";

export const DEFAULT_PER_ENTITY_TIMEOUT_MS = 10_000;
const JOB_WEBHOOK_EVENTS = ["enrichment.completed", "enrichment.failed", "job.completed", "job.failed"];

export interface JobRequest extends Pick<EnrichRequest, "integrationCodes" | "enrichmentGroupRefs" | "params" | "forceRefresh"> {
  /** JSON bodies and retries: all or nothing. Ignored when `csv` is given. */
  entities: JobEntityInput[];
  /** CSV bodies: the rows as read, and what to do with a row that cannot be an entity. */
  csv?: { upload: CsvUpload; onInvalidRow: OnInvalidRow };
  strategy?: Strategy;
  webhookId?: string | null;
  perEntityTimeoutMs?: number;
  /**
   * Job-level pricing (not in the public body; for features that sell a run per entity): each entity with at least
   * one successful result is charged exactly this, whatever its integrations cost, and a prepaid organization must
   * cover this times the entities before the job starts. See `IntegrationJobSpec.entityCredits`.
   */
  entityCredits?: number;
  /** The events `webhookId` must subscribe to (one of them); default the job and enrichment events. */
  webhookEvents?: readonly string[];
  /** Who started the job when not Dossier's own API (a compatibility layer's name); echoed in the job's events. */
  origin?: string;
}

/** What `planJob` hands on besides the launch: what the create answer says about a CSV upload. */
interface PlannedJob {
  launch: JobLaunch<IntegrationJobSpec>;
  skippedRows: SkippedRow[];
  columns: Record<string, string> | null;
  unmappedColumns: string[];
}

/** The job's webhook must be the organization's own and listen to at least one of `events` (the job and enrichment events, by default). */
export async function checkJobWebhook(db: Db, orgId: string, webhookId: string, events: readonly string[] = JOB_WEBHOOK_EVENTS): Promise<string> {
  const [hook] = await db
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, webhookId)))
    .limit(1);
  if (!hook || !hook.events.some((e) => events.includes(e))) {
    throw new ApiError("UNPROCESSABLE", `webhookId must name a webhook of this organization subscribed to one of ${events.join(", ")}`, {
      details: [{ path: "webhookId", message: hook ? `Not subscribed to any of ${events.join(", ")}` : "No such webhook in this organization" }],
    });
  }
  return hook.id;
}

/** Creates and starts a batch job; answers what `POST /v1/jobs` returns. */
export async function createJob(env: Env, db: Db, caller: Caller, request: JobRequest, parentJobId: string | null = null) {
  const { launch, skippedRows, columns, unmappedColumns } = await planJob(db, caller, request, parentJobId, env);
  const spec = await launchJob(env, db, caller, launch);
  return {
    jobId: spec.jobId,
    status: "processing" as const,
    createdAt: spec.createdAt,
    webhookId: spec.webhookId,
    entityCount: spec.entities.length,
    parentJobId,
    columns,
    unmappedColumns,
    skippedRows,
  };
}

/** Creates a batch job without starting it (`writeJob`), for tests that start the object themselves. Answers its spec. */
export async function prepareJob(db: Db, caller: Caller, request: JobRequest, parentJobId: string | null = null, env?: Env): Promise<IntegrationJobSpec> {
  return writeJob(db, caller, (await planJob(db, caller, request, parentJobId, env)).launch);
}

/**
 * Everything before the job is written: what can refuse the job — unknown integrations or groups (400), bad entities
 * (400/409), the webhook (422) — is checked here, before anything is written; `writeJob` then holds the credits
 * (402 if a prepaid balance cannot cover the most it could charge), upserts the inline entities and writes the D1 row.
 */
async function planJob(db: Db, caller: Caller, request: JobRequest, parentJobId: string | null, env: Env | undefined): Promise<PlannedJob> {
  const params = request.params ?? {};
  // Also for CSV bodies' params (a query parameter): params travel in every task message, which Queues caps at 128 KB.
  assertFreeForm(params, "params");
  const plan = await planRun(db, caller.orgId, request);
  const webhookId = request.webhookId ? await checkJobWebhook(db, caller.orgId, request.webhookId, request.webhookEvents) : null;
  const { prepared, skippedRows } = request.csv
    ? await prepareCsvRows(db, caller.orgId, request.csv.upload, request.csv.onInvalidRow)
    : { prepared: await prepareEntities(db, caller.orgId, request.entities), skippedRows: [] };
  const entityCount = prepared.slots.length;

  const jobId = crypto.randomUUID();
  const createdAt = nowIso();
  const strategy = request.strategy ?? "all";
  const codes = plan.integrations.map((i) => i.code);
  const launch: JobLaunch<IntegrationJobSpec> = {
    maxCharge: (request.entityCredits ?? maxChargeOf(plan)) * entityCount,
    spec: async (reservedCredits) => ({
      kind: INTEGRATION_TASK,
      jobId,
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      createdAt,
      integrationCodes: codes,
      strategy,
      params,
      forceRefresh: request.forceRefresh ?? false,
      webhookId,
      perEntityTimeoutMs: request.perEntityTimeoutMs ?? DEFAULT_PER_ENTITY_TIMEOUT_MS,
      reservedCredits,
      chargeByCode: Object.fromEntries(plan.integrations.map((i) => [i.code, isEnabled(i, plan.settingsRows.get(i.code)) ? i.credits : 0])),
      laneCaps: taskPerEntity({ strategy, entityCredits: request.entityCredits })
        ? { [strategy === "waterfall" ? WATERFALL_LANE : ENTITY_LANE]: Math.min(...plan.integrations.map((i) => i.maxConcurrency)) }
        : Object.fromEntries(plan.integrations.map((i) => [i.code, i.maxConcurrency])),
      ...(request.entityCredits === undefined ? {} : { entityCredits: request.entityCredits }),
      ...(request.webhookEvents === undefined ? {} : { webhookEvents: [...request.webhookEvents] }),
      ...(request.origin === undefined ? {} : { origin: request.origin }),
      entities: await writeEntities(db, caller, prepared, jobId, env),
    }),
    row: { strategy, integrationCodes: codes, entityCount, parentJobId, skippedRows },
    audit: {
      action: "job.created",
      data: (reservedCredits) => ({ entityCount, integrationCodes: codes, strategy, reservedCredits, webhookId, parentJobId, skippedRows: skippedRows.length }),
    },
  };
  return {
    launch,
    skippedRows,
    columns: request.csv?.upload.columns ?? null,
    unmappedColumns: request.csv?.upload.unmappedColumns ?? [],
  };
}

/** A follow-up job of the failed entities only; it charges only its own successes. */
export async function retryJob(env: Env, db: Db, caller: Caller, jobId: string) {
  const row = await getJobRow(db, caller.orgId, jobId);
  if (row.kind !== INTEGRATION_TASK) throw new ApiError("CONFLICT", `Only integration jobs can be retried; this one is a ${row.kind} job`);
  const failed = await jobReader(env, jobId).entitiesWithStatus("failed");
  if (!failed) throw new ApiError("CONFLICT", "This job has not started");
  const snapshot = await getJobStub(env, jobId).snapshot();
  if (!snapshot || !["completed", "failed", "cancelled"].includes(snapshot.status)) {
    throw new ApiError("CONFLICT", `Only a finished job can be retried; this one is ${snapshot?.status ?? "queued"}`);
  }
  if (failed.entities.length === 0) throw new ApiError("CONFLICT", "This job has no failed entities to retry");
  const spec = integrationSpec(failed.spec);
  const webhookId = spec.webhookId ? await checkJobWebhook(db, caller.orgId, spec.webhookId, spec.webhookEvents).catch(() => null) : null;
  return createJob(
    env,
    db,
    caller,
    {
      entities: failed.entities.map((e) => e.entityId),
      integrationCodes: spec.integrationCodes,
      strategy: spec.strategy,
      params: spec.params,
      forceRefresh: spec.forceRefresh,
      webhookId,
      perEntityTimeoutMs: spec.perEntityTimeoutMs,
      entityCredits: spec.entityCredits,
      webhookEvents: spec.webhookEvents,
      origin: spec.origin,
    },
    jobId,
  );
}

export type JobRow = typeof jobs.$inferSelect;

export async function getJobRow(db: Db, orgId: string, jobId: string): Promise<JobRow> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.id, jobId)))
    .limit(1);
  if (!row) throw new ApiError("NOT_FOUND", "Job not found");
  return row;
}
