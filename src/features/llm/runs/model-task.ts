import { ZERO_USAGE, addUsage } from "../../../providers/llm/client";
import type { JsonSchema } from "../../../providers/llm/types";
import { callCostPico, costFigures } from "../cost";
import { type DomainPart, mergeDomainOutputs, splitByExpertise } from "../expertise-split";
import { type CallOutcome, callWithRetry } from "./call-model";
import { citationsFor, leafValues } from "./citations";
import { enrichmentPrompt } from "./prompts";
import { newRecord } from "./record-of";
import type { EnrichmentRun, LlmTaskMessage, RunModel } from "./run-spec";
import type { Grounding, TaskInputs } from "./task-input";
import { type FinishedTask, noRecordResult, resultOf, taskKeyOf } from "./task-result";
import { storedOr, writeTask } from "./write-task";

/** The confidence of a field one model found alone (no other model to agree or disagree). */
export const SINGLE_MODEL_CONFIDENCE = 0.5;

/** The field source LLM values are written to an entity under. */
export const LLM_FIELD_SOURCE = "llm";

interface PartCall {
  part: DomainPart | null;
  outcome: CallOutcome;
}

async function callPart(inputs: TaskInputs, message: LlmTaskMessage, run: EnrichmentRun, model: RunModel, schema: JsonSchema, part: DomainPart | null, entity: Record<string, unknown>, grounding: Grounding | undefined, deadline: number): Promise<PartCall> {
  const prompt = enrichmentPrompt({
    entityType: run.entityType,
    languages: run.languages,
    ...(part ? { domain: { name: part.name, ...(part.description ? { description: part.description } : {}) } } : {}),
    entity,
    ...(grounding ? { grounding } : {}),
  });
  const outcome = await callWithRetry(await inputs.callContext(message.orgId, deadline), model, {
    ...prompt,
    jsonSchema: part?.jsonSchema ?? schema,
    schemaName: part ? `entity_${part.key}`.slice(0, 64) : "entity_enrichment",
    temperature: 0,
  });
  return { part, outcome };
}

/**
 * One model's record for one entity: the whole schema in one call (single_pass), or one call per expertise domain in
 * parallel (multi_expertise), merged into one record; a failed domain leaves its fields out (partial success). The
 * record is written once with its charge (the successful calls' cost, capped by the task's reservation) and, for a
 * one-model run with saveToEntity, the entity's fields.
 */
export async function modelTask(inputs: TaskInputs, message: LlmTaskMessage, run: EnrichmentRun, deadline: number): Promise<FinishedTask> {
  const model = run.models.find((m) => m.key === message.model);
  const loaded = await inputs.runSchema(message.orgId, run);
  const entity = inputs.entityData(message);
  if (!model || !loaded || !entity) {
    return { results: [noRecordResult("model", false, { model: message.model }, { code: "SYSTEM", message: entity ? "The run's schema or model is gone" : "The entity no longer exists" })] };
  }
  const grounding = run.grounding ? await inputs.grounding(message) : undefined;
  const parts = run.choice.strategy === "multi_expertise" ? splitByExpertise(loaded.jsonSchema, loaded.row.expertiseDomains) : [null];
  const calls = await Promise.all(parts.map((part) => callPart(inputs, message, run, model, loaded.jsonSchema, part, entity, grounding, deadline)));
  const ok = calls.filter((c): c is PartCall & { outcome: Extract<CallOutcome, { ok: true }> } => c.outcome.ok);
  const output =
    ok.length === 0
      ? null
      : calls.length === 1
        ? (ok[0]?.outcome.result.json ?? null)
        : mergeDomainOutputs(
            parts.filter((p): p is DomainPart => p !== null),
            Object.fromEntries(ok.map((c) => [c.part?.key ?? "", c.outcome.result.json])),
          );
  const failed = calls.filter((c) => !c.outcome.ok);
  const firstError = failed[0]?.outcome;
  const breakdown = calls.map((c) => ({
    expertiseKey: c.part?.key ?? null,
    expertiseName: c.part?.name ?? null,
    success: c.outcome.ok,
    usage: c.outcome.usage,
    costUsd: costFigures(callCostPico(c.outcome.usage, model.price)).costUsd,
    durationMs: c.outcome.durationMs,
    error: c.outcome.ok ? null : { code: c.outcome.error.code, message: c.outcome.error.message },
  }));
  const success = output !== null;
  const record = newRecord(
    { orgId: message.orgId, type: "enrichment", jobId: message.jobId, taskKey: taskKeyOf(message), entityIndex: message.entityIndex, entityId: message.entityId, schemaId: run.schemaId, schemaVersion: run.schemaVersion, strategy: run.choice.strategy },
    {
      model,
      usage: calls.reduce((u, c) => addUsage(u, c.outcome.usage), ZERO_USAGE),
      chargeableUsage: ok.reduce((u, c) => addUsage(u, c.outcome.chargeableUsage), ZERO_USAGE),
      success,
      capCredits: message.capCredits,
      creditValueUsd: message.creditValueUsd,
    },
    {
      success,
      partialSuccess: success && failed.length > 0,
      output,
      details: {
        ...(parts[0] ? { expertiseBreakdown: breakdown } : {}),
        citations: output ? citationsFor(loaded.jsonSchema, output, grounding) : {},
        grounded: grounding !== undefined,
        languages: run.languages,
      },
      prompts: calls.flatMap((c) => c.outcome.exchanges.map((e) => ({ ...(c.part ? { expertiseKey: c.part.key } : {}), ...e }))),
      validationErrors: failed.flatMap((c) => (c.outcome.ok ? [] : c.outcome.error.validationErrors)),
      error: success || !firstError || firstError.ok ? null : firstError.error.toJSON(),
      durationMs: Math.max(0, ...calls.map((c) => c.outcome.durationMs)),
    },
  );
  const row = inputs.entityRow(message);
  const saveFields = run.saveToEntity && run.models.length === 1 && row && output;
  const stored = storedOr(
    await writeTask(inputs.db, {
      orgId: message.orgId,
      actorKeyId: message.actorKeyId,
      records: [record],
      ...(saveFields
        ? {
            entityFields: {
              entityId: row.id,
              current: row.enriched,
              recordId: record.id,
              finding: { source: LLM_FIELD_SOURCE, confidence: SINGLE_MODEL_CONFIDENCE, at: record.createdAt ?? new Date().toISOString(), fields: leafValues(loaded.jsonSchema, output), recordId: record.id },
            },
          }
        : {}),
    }),
    record,
  );
  // output and entityType travel in the result for the entity's `llm_enrichment.completed` event (never streamed).
  const extra = { partialSuccess: stored.partialSuccess, expertiseBreakdown: parts[0] ? (stored.details?.expertiseBreakdown ?? breakdown) : null, output: stored.output ?? null, entityType: row?.type ?? null };
  return { results: [resultOf("model", stored, extra)] };
}
