import type { Db } from "../../../platform/db/client";
import type { Env, Settings } from "../../../platform/env";
import type { Caller } from "../../../platform/http/context";
import { nowIso } from "../../../platform/lib/time";
import { type JobEntity, checkJobWebhook, launchJob } from "../../jobs";
import { LLM_EVENTS, laneCaps, planLlmTasks } from "./llm-kind";
import type { ModelResolver } from "./resolve-models";
import { type EntityPayload, type FusionRun, LLM_TASK_KIND, type LlmJobSpec, type LlmRun, type SchemaEditRun, type SchemaGenerationRun } from "./run-spec";

/** Each task's deadline from the moment it starts running (queue wait excluded), unless the request says. */
export const DEFAULT_TASK_TIMEOUT_MS = 120_000;

const RUN_WEBHOOK_EVENTS: readonly string[] = [...LLM_EVENTS, "job.completed", "job.failed"];

/** The run's webhook must be the organization's own and listen to an LLM or job event. */
export const checkRunWebhook = (db: Db, orgId: string, webhookId: string) => checkJobWebhook(db, orgId, webhookId, RUN_WEBHOOK_EVENTS);

export interface LaunchInput {
  run: LlmRun;
  entityCount: number;
  /** Per entity, in order: its payload and whether it is one of the organization's (for the reservation bound). */
  payloads: EntityPayload[];
  stored: boolean[];
  /** The job's entities, written once the credits are held (inline entities are upserted then). */
  entities: (jobId: string) => Promise<JobEntity[]>;
  laneCaps: Record<string, number>;
  webhookId: string | null;
  taskTimeoutMs: number;
  /** The job row's `details` (what GET /v1/jobs/{id} shows of it). */
  details: Record<string, unknown>;
  /** Statements that land with the job row (an inline schema). */
  extra?: Parameters<Db["batch"]>[0][number][];
}

/**
 * Creates and starts an LLM job: holds the most it could cost (prepaid organizations; a 402 if the balance cannot
 * cover it), writes its entities, its D1 row and audit row, and hands it to its Durable Object. Answers what the
 * route returns.
 */
export async function launchLlmJob(env: Env, db: Db, settings: Settings, caller: Caller, input: LaunchInput) {
  const jobId = crypto.randomUUID();
  const createdAt = nowIso();
  const base = {
    kind: LLM_TASK_KIND,
    jobId,
    orgId: caller.orgId,
    actorKeyId: caller.keyId,
    createdAt,
    webhookId: input.webhookId,
    perEntityTimeoutMs: input.taskTimeoutMs,
    laneCaps: input.laneCaps,
    run: input.run,
    creditValueUsd: settings.CREDIT_VALUE_USD,
  } as const;
  const bound = input.payloads.reduce(
    (sum, payload, i) =>
      sum + planLlmTasks({ ...base, reservedCredits: 1 }, i, { entityId: input.stored[i] ? "stored" : "", data: JSON.stringify(payload) }).reduce((s, t) => s + t.maxCharge, 0),
    0,
  );
  const { reservedCredits } = await launchJob<LlmJobSpec>(env, db, caller, {
    maxCharge: bound,
    spec: async (reservedCredits) => ({ ...base, reservedCredits, entities: await input.entities(jobId) }),
    row: { kind: LLM_TASK_KIND, details: input.details, strategy: "all", integrationCodes: [], entityCount: input.entityCount },
    audit: {
      action: "llm_job.started",
      data: (reservedCredits) => ({ ...input.details, entityCount: input.entityCount, reservedCredits, webhookId: input.webhookId }),
    },
    extra: input.extra,
  });
  return { jobId, status: "processing" as const, createdAt, entityCount: input.entityCount, reservedCredits, webhookId: input.webhookId };
}

/** A job of one task (a schema generation or edit, a fusion with an arbiter) on a pseudo-entity: its input is in the run. */
export function launchOneTaskJob(
  env: Env,
  db: Db,
  settings: Settings,
  caller: Caller,
  run: SchemaGenerationRun | SchemaEditRun | FusionRun,
  resolver: ModelResolver,
  details: Record<string, unknown>,
) {
  const model = run.mode === "fusion" ? run.arbitration : run.model;
  return launchLlmJob(env, db, settings, caller, {
    run,
    entityCount: 1,
    payloads: [{ label: null, bytes: 0 }],
    stored: [false],
    entities: async () => [{ entityId: "", externalId: null, type: run.mode === "fusion" ? "fusion" : "schema", data: null }],
    laneCaps: laneCaps(run, (k) => resolver.capOf(k), 1),
    webhookId: null,
    taskTimeoutMs: DEFAULT_TASK_TIMEOUT_MS,
    details: { mode: run.mode, model: model.key, ...details },
  });
}
