import type { EnrichmentRun, LlmTaskMessage } from "./run-spec";
import { callWithRetry } from "./call-model";
import { CLASSIFICATION_SCHEMA, type ClassificationStatus, classificationPrompt } from "./prompts";
import { callRecord } from "./record-of";
import type { TaskInputs } from "./task-input";
import { type FinishedTask, noRecordResult, resultOf, taskKeyOf } from "./task-result";
import { storedOr, writeTask } from "./write-task";

export const CLASSIFICATION_MISMATCH = "classification_mismatch";
export const CLASSIFICATION_TIMEOUT = "classification_timeout";

/**
 * The cheap call before an entity's research: is it the schema's entityType? A mismatch is acted on as the run
 * asked (pause for a decision, skip, or proceed); ambiguous, unknown or a failed call proceed. What is decided comes
 * from the stored record, so a repeated delivery decides the same.
 */
export async function classifyTask(inputs: TaskInputs, message: LlmTaskMessage, run: EnrichmentRun, deadline: number): Promise<FinishedTask> {
  const config = run.classification;
  const entity = inputs.entityData(message);
  if (!config || !entity) return { results: [noRecordResult("classify", false, {}, { code: "SYSTEM", message: "The entity no longer exists" })] };
  const expectedType = run.entityType ?? "the schema's subject";
  const prompt = classificationPrompt(expectedType, entity);
  const outcome = await callWithRetry(await inputs.callContext(message.orgId, deadline), config.model, {
    ...prompt,
    jsonSchema: CLASSIFICATION_SCHEMA,
    schemaName: "entity_classification",
    temperature: 0,
  });
  const record = callRecord(
    { orgId: message.orgId, type: "classification", jobId: message.jobId, taskKey: taskKeyOf(message), entityIndex: message.entityIndex, entityId: message.entityId, schemaId: run.schemaId, schemaVersion: run.schemaVersion },
    config.model,
    outcome,
    message.capCredits,
    message.creditValueUsd,
    { output: outcome.ok ? { ...outcome.result.json, expectedType } : null },
  );
  const stored = storedOr(await writeTask(inputs.db, { orgId: message.orgId, actorKeyId: message.actorKeyId, records: [record] }), record);
  const classification = stored.output;
  const status = classification?.status as ClassificationStatus | undefined;
  const result = resultOf("classify", stored, { classification });
  if (!stored.success || status !== "mismatch" || config.onMismatch === "proceed") return { results: [result] };
  if (config.onMismatch === "skip") {
    return { results: [result], next: { skip: { code: CLASSIFICATION_MISMATCH, message: `Not a ${expectedType}: ${String(classification?.entityDescription ?? "")}`.slice(0, 500) } } };
  }
  return {
    results: [{ ...result, paused: true, timeoutSeconds: config.timeoutSeconds }],
    next: {
      hold: {
        reason: CLASSIFICATION_MISMATCH,
        timeoutMs: config.timeoutSeconds * 1000,
        timeoutCode: CLASSIFICATION_TIMEOUT,
        data: { classification, timeoutSeconds: config.timeoutSeconds },
      },
    },
  };
}
