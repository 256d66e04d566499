import { entityRecords } from "../records/record-store";
import { citationsFor, leafValues } from "./citations";
import { fuseRecords, fusionRecord } from "./fuse-records";
import { LLM_FIELD_SOURCE } from "./model-task";
import type { EnrichmentRun, LlmTaskMessage } from "./run-spec";
import type { TaskInputs } from "./task-input";
import { type FinishedTask, noRecordResult, resultOf, taskKeyOf } from "./task-result";
import { storedOr, writeTask } from "./write-task";

/**
 * After every model task of an entity: its model records fused field by field (with arbitration of the conflicts
 * when the run names an arbiter), recorded as a fusion record (and an arbitration record, charged), and with
 * saveToEntity written to the entity's fields with each field's confidence. Fewer than two successful records leave
 * nothing to fuse.
 */
export async function fuseTask(inputs: TaskInputs, message: LlmTaskMessage, run: EnrichmentRun, deadline: number): Promise<FinishedTask> {
  const started = Date.now();
  const loaded = await inputs.runSchema(message.orgId, run);
  const records = (await entityRecords(inputs.db, message.orgId, message.jobId, message.entityIndex, "enrichment")).filter((r) => r.success && r.output);
  if (!loaded || records.length < 2) {
    return { results: [noRecordResult("fuse", false, { skipped: true, reason: `${records.length} model record(s) succeeded; fusion needs two` })] };
  }
  const entity = inputs.entityData(message) ?? {};
  const base = { orgId: message.orgId, jobId: message.jobId, entityIndex: message.entityIndex, entityId: message.entityId, schemaId: run.schemaId, schemaVersion: run.schemaVersion, strategy: run.choice.strategy };
  const outcome = await fuseRecords(await inputs.callContext(message.orgId, deadline), {
    schema: loaded.jsonSchema,
    records,
    modelOrder: run.models.map((m) => m.key),
    entity,
    arbitration: run.arbitration,
    arbitrationBase: { ...base, type: "arbitration", taskKey: taskKeyOf(message, "arbitration") },
    capCredits: message.capCredits,
    creditValueUsd: message.creditValueUsd,
  });
  const grounding = run.grounding ? await inputs.grounding(message) : undefined;
  const fusion = fusionRecord(
    { ...base, type: "fusion", taskKey: taskKeyOf(message, "fusion") },
    outcome,
    records.map((r) => r.id),
    { citations: citationsFor(loaded.jsonSchema, outcome.fusion.output, grounding) },
    Date.now() - started,
  );
  const row = inputs.entityRow(message);
  const confidence = Object.fromEntries(outcome.fusion.fields.map((f) => [f.path, f.confidence]));
  const stored = await writeTask(inputs.db, {
    orgId: message.orgId,
    actorKeyId: message.actorKeyId,
    records: [...(outcome.arbitration ? [outcome.arbitration] : []), fusion],
    ...(run.saveToEntity && row
      ? {
          entityFields: {
            entityId: row.id,
            current: row.enriched,
            recordId: fusion.id,
            finding: { source: LLM_FIELD_SOURCE, confidence: 0, fieldConfidence: confidence, at: fusion.createdAt ?? new Date().toISOString(), fields: leafValues(loaded.jsonSchema, outcome.fusion.output), recordId: fusion.id },
          },
        }
      : {}),
  });
  const fused = storedOr(stored, fusion);
  const arbitration = outcome.arbitration ? storedOr(stored, outcome.arbitration) : null;
  const report = (fused.conflictReport ?? {}) as Record<string, unknown>;
  const details = fused.details ?? {};
  const extra = {
    sourceRecordIds: fused.sourceRecordIds,
    conflictReport: { agreedFields: report.agreedFields, conflictedFields: report.conflictedFields, arbitratedFields: report.arbitratedFields, noDataFields: report.noDataFields, totalFields: report.totalFields },
    confidenceScore: details.confidenceScore,
    validationWarnings: details.validationWarnings,
    arbitration: arbitration
      ? { conflictCount: arbitration.details?.conflictCount ?? null, success: arbitration.success, fallbackToRuleBased: !arbitration.success }
      : null,
  };
  return {
    results: [
      ...(arbitration ? [resultOf("fuse", arbitration, { recordType: "arbitration" })] : []),
      resultOf("fuse", fused, { recordType: "fusion", ...extra, output: fused.output ?? null }),
    ],
  };
}
