import { createDb } from "../../../platform/db/client";
import { type DomainEvent, newEvent } from "../../../platform/events";
import { ZERO_USAGE } from "../../../providers/llm/client";
import { LlmCallError } from "../../../providers/llm/llm-errors";
import type { EntityOutcome, KindEvent, PlannedTask, PresentedOutcome, TaskKind, TaskResult, TaskRow } from "../../jobs";
import type { LlmRecordType } from "../../../db/schema/llm";
import { inferDraft } from "../schemas/infer-draft";
import { arbitrationBound, fixedCallBound, modelTaskBound, singleTaskBound } from "./bounds";
import { callRecord } from "./record-of";
import { type LlmJobSpec, type LlmTaskMessage, type LlmTaskResult, LLM_TASK_KIND, llmSpec, payloadOf, type TaskRole, taskRoleOf } from "./run-spec";
import { resultEvents } from "./run-events";
import { resultOf, taskKeyOf } from "./task-result";
import { storedOr, writeTask } from "./write-task";

declare module "../../../platform/events" {
  interface DomainEventMap {
    "llm_enrichment.completed": Record<string, unknown>;
    "llm_enrichment.failed": Record<string, unknown>;
  }
}

/** Per entity of an LLM enrichment job; webhooks may subscribe. */
export const LLM_EVENTS = ["llm_enrichment.completed", "llm_enrichment.failed"] as const;

/** The lane of the tasks that make no model call (a fusion without arbiter). */
const FUSION_LANE = "*fusion";
const GROUNDING_LANE = "*grounding";

type Spec = Omit<LlmJobSpec, "entities">;

/** The most credits a task's charged record may cost (its reservation share before prepaid is taken into account). */
function taskBound(spec: Spec, role: TaskRole, model: string | null, entityData: string | null | undefined): number {
  const { run, creditValueUsd } = spec;
  const bytes = payloadOf(entityData).bytes;
  if (run.mode !== "enrichment") return singleTaskBound(run, creditValueUsd);
  if (role === "classify" && run.classification) return fixedCallBound(run.classification.model, bytes, creditValueUsd);
  if (role === "ground") return run.grounding?.maxCharge ?? 0;
  if (role === "fuse") return run.arbitration ? arbitrationBound(run.arbitration, bytes, creditValueUsd) : 0;
  const m = run.models.find((x) => x.key === model);
  return m ? modelTaskBound(run, m, bytes, creditValueUsd) : 0;
}

/** One entity's tasks: classification, grounding, one per model, fusion: each stage after the one before. */
export function planLlmTasks(spec: LlmJobSpec | Spec, entityIndex: number, entity: { entityId: string; data?: string | null }): PlannedTask[] {
  const { run } = spec;
  const hold = (role: TaskRole, model: string | null) => (spec.reservedCredits > 0 ? taskBound(spec, role, model, entity.data) : 0);
  const task = (suffix: string, role: TaskRole, lane: string, model: string | null, stage: number): PlannedTask => ({
    id: `${entityIndex}:${suffix}`,
    lane,
    codes: model ? [role, model] : [role],
    maxCharge: hold(role, model),
    stage,
  });
  if (run.mode === "schema_generation" || run.mode === "schema_edit") return [task("schema", "schema", run.model.key, run.model.key, 0)];
  if (run.mode === "fusion") return [task("fusion", "fusion", run.arbitration.key, run.arbitration.key, 0)];
  const tasks: PlannedTask[] = [];
  if (run.classification) tasks.push(task("classify", "classify", run.classification.model.key, run.classification.model.key, 0));
  if (run.grounding && entity.entityId) tasks.push(task("ground", "ground", GROUNDING_LANE, null, 1));
  run.models.forEach((m, i) => tasks.push(task(`model:${i}`, "model", m.key, m.key, 2)));
  if (run.models.length > 1) tasks.push(task("fuse", "fuse", run.arbitration?.key ?? FUSION_LANE, run.arbitration?.key ?? null, 3));
  return tasks;
}

/** The lanes of a job and their caps: one per model (its provider's maxConcurrency), grounding and rule-based fusion. */
export function laneCaps(run: LlmJobSpec["run"], capOf: (modelKey: string) => number, groundingCap: number): Record<string, number> {
  const caps: Record<string, number> = { [FUSION_LANE]: 50, [GROUNDING_LANE]: groundingCap };
  const models =
    run.mode === "enrichment"
      ? [...run.models, ...(run.classification ? [run.classification.model] : []), ...(run.arbitration ? [run.arbitration] : [])]
      : run.mode === "fusion"
        ? [run.arbitration]
        : [run.model];
  for (const m of models) caps[m.key] = capOf(m.key);
  return caps;
}

/** The record type a task's lost run is recorded as, and its key's part. */
function lostRecordOf(spec: Spec, role: TaskRole): { type: LlmRecordType; part?: string } | null {
  if (role === "classify") return { type: "classification" };
  if (role === "model") return { type: "enrichment" };
  if (role === "fuse" || role === "fusion") return { type: "fusion", part: "fusion" };
  if (role === "schema" && spec.run.mode !== "enrichment" && spec.run.mode !== "fusion") return { type: spec.run.mode };
  return null;
}

const asResults = (results: TaskResult[]) => results as LlmTaskResult[];

const fusedRecordOf = (results: LlmTaskResult[]) => results.find((r) => r.role === "fuse" && r.recordType === "fusion" && r.success)?.recordId ?? null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The stored entity's type (its model tasks read it) and the output the run settled on: the fusion's, else a lone model's. */
function foundOf(results: LlmTaskResult[]): { entityType: string | null; output: Record<string, unknown> | null } {
  const typed = results.find((r) => typeof r.entityType === "string");
  const fused = results.find((r) => r.role === "fuse" && r.recordType === "fusion" && r.success && isRecord(r.output));
  const models = results.filter((r) => r.role === "model" && r.success && isRecord(r.output));
  const output = fused?.output ?? (models.length === 1 ? models[0]?.output : null);
  return { entityType: typeof typed?.entityType === "string" ? typed.entityType : null, output: isRecord(output) ? output : null };
}

function summaryOf(outcome: EntityOutcome) {
  const results = asResults(outcome.results);
  const models = results.filter((r) => r.role === "model");
  const error = outcome.status === "failed" ? (results.find((r) => r.error)?.error ?? null) : null;
  return {
    entityId: outcome.entityId || null,
    status: outcome.status,
    skipped: outcome.skipped ?? null,
    error,
    recordIds: results.flatMap((r) => (r.recordId ? [r.recordId] : [])),
    modelRecords: models.map((r) => ({ model: r.model, recordId: r.recordId, success: r.success, partialSuccess: r.partialSuccess === true })),
    fusedRecordId: fusedRecordOf(results),
    classification: results.find((r) => r.role === "classify")?.classification ?? null,
    credits: results.reduce((s, r) => s + (r.success ? r.credits : 0), 0),
    costUsd: Math.round(results.reduce((s, r) => s + (r.costUsd ?? 0), 0) * 1e6) / 1e6,
  };
}

/** An entity succeeded when one of its model records (or its schema, or an on-demand fusion) did. */
function entityStatus(results: TaskResult[]): "succeeded" | "failed" {
  const counts = (r: LlmTaskResult) => r.role === "model" || r.role === "schema" || (r.role === "fusion" && r.recordType === "fusion");
  return asResults(results).some((r) => r.success && counts(r)) ? "succeeded" : "failed";
}

export const llmTaskKind: TaskKind = {
  name: LLM_TASK_KIND,
  resultEvent: "model_completed",

  started(jobSpec) {
    const { run } = jobSpec as LlmJobSpec;
    if (run.mode !== "enrichment") return { mode: run.mode, models: [run.mode === "fusion" ? run.arbitration.key : run.model.key] };
    return { mode: run.mode, models: run.models.map((m) => m.key), strategy: run.choice.strategy, schemaId: run.schemaId, schemaVersion: run.schemaVersion };
  },

  startEvents(jobSpec): KindEvent[] {
    const { run } = jobSpec as LlmJobSpec;
    if (run.mode === "enrichment") return [{ type: "strategy_selected", data: { ...run.choice } }];
    if (run.mode === "schema_generation") return [{ type: "schema_draft_inferred", data: { propertyCount: Object.keys((inferDraft(run.samples).jsonSchema.properties ?? {}) as object).length } }];
    return [];
  },

  plan(jobSpec, idx) {
    const entity = jobSpec.entities[idx];
    return entity ? planLlmTasks(jobSpec as LlmJobSpec, idx, entity) : [];
  },

  message(jobSpec, task, dispatch): LlmTaskMessage {
    const spec = llmSpec(jobSpec);
    const role = taskRoleOf(JSON.parse(task.codes) as string[]);
    const model = (JSON.parse(task.codes) as string[])[1] ?? null;
    return {
      kind: "llm_task",
      jobId: spec.jobId,
      taskId: task.id,
      dispatch,
      orgId: spec.orgId,
      actorKeyId: spec.actorKeyId,
      entityIndex: task.entity_idx,
      entityId: task.entity_id,
      entityData: task.entity_data,
      role,
      model,
      capCredits: taskBound(spec, role, model, task.entity_data),
      run: spec.run,
      creditValueUsd: spec.creditValueUsd,
    };
  },

  /** A task that never reported: recorded as timed out (unless a late run's record got there first), free. */
  async recordLost(env, jobSpec, lost) {
    const spec = llmSpec(jobSpec);
    const role = taskRoleOf(lost.codes);
    const what = lostRecordOf(spec, role);
    const error = new LlmCallError("ENRICHMENT_TIMEOUT", `No result after ${lost.dispatches} dispatches of this task`, "timeout");
    const failed: LlmTaskResult = { success: false, credits: 0, costCents: 0, role, recordId: null, model: lost.codes[1] ?? null, costUsd: 0, error: { code: error.code, message: error.message } };
    if (!what) return { lost: [failed], stored: [failed] };
    const message = { jobId: spec.jobId, taskId: lost.taskId };
    const run = spec.run;
    const record = callRecord(
      {
        orgId: spec.orgId,
        type: what.type,
        jobId: spec.jobId,
        taskKey: taskKeyOf(message, what.part),
        entityIndex: lost.entityIndex,
        entityId: lost.entityId,
        ...(run.mode === "enrichment" ? { schemaId: run.schemaId, schemaVersion: run.schemaVersion } : {}),
        model: lost.codes[1] ?? null,
      },
      null,
      { ok: false, error, exchanges: [], usage: ZERO_USAGE, chargeableUsage: ZERO_USAGE, durationMs: 0 },
      0,
      spec.creditValueUsd,
      {},
    );
    const stored = storedOr(await writeTask(createDb(env.DB), { orgId: spec.orgId, actorKeyId: spec.actorKeyId, records: [record] }), record);
    return { lost: [failed], stored: [resultOf(role, stored, what.type === "fusion" ? { recordType: "fusion" } : {})] };
  },

  resultEvents(jobSpec, task: TaskRow, results) {
    return resultEvents(llmSpec(jobSpec), task, asResults(results));
  },

  claimEvents(jobSpec, task) {
    const codes = JSON.parse(task.codes) as string[];
    const role = taskRoleOf(codes);
    const at = { entity_index: task.entity_idx };
    if (role === "classify") return [{ type: "classification_started", data: { ...at, model: codes[1] } }];
    if (role === "model" || role === "schema") return [{ type: "model_started", data: { ...at, model: codes[1] } }];
    if (role === "fuse" || role === "fusion") return [{ type: "fusion_started", data: { ...at, arbitrationModel: codes[1] ?? null } }];
    const { run } = llmSpec(jobSpec);
    return [{ type: "grounding_started", data: { ...at, integrationCodes: run.mode === "enrichment" ? (run.grounding?.integrationCodes ?? []) : [] } }];
  },

  entityStatus,

  entityCompleted(outcome) {
    return { entity_index: outcome.entityIndex, ...summaryOf(outcome) };
  },

  presentOutcome(outcome): PresentedOutcome {
    const summary = summaryOf(outcome);
    return { entityIndex: outcome.entityIndex, externalId: outcome.externalId, ...summary };
  },

  /**
   * `llm_enrichment.completed|failed` once per entity of an enrichment job (ids derived from the job and entity), on the
   * bus (webhooks, rules) with the entity's type and what the run found: the fused output, or a lone model's.
   */
  entityEvents(jobSpec, outcome): DomainEvent[] {
    const spec = llmSpec(jobSpec);
    if (spec.run.mode !== "enrichment") return [];
    const type = outcome.status === "succeeded" ? "llm_enrichment.completed" : "llm_enrichment.failed";
    const found = foundOf(asResults(outcome.results));
    const entityType = found.entityType ?? spec.run.entityType;
    const data = { jobId: spec.jobId, entityIndex: outcome.entityIndex, externalId: outcome.externalId, entityType, ...summaryOf(outcome), output: found.output };
    const event = newEvent(type, spec.orgId, data, spec.webhookId);
    return [{ ...event, id: `evt_${spec.jobId}_llm_${outcome.entityIndex}` }];
  },
};
