import { ApiError } from "../../../platform/errors";
import { fusionInputs } from "../fusions";
import { fuseRecords, fusionRecord } from "./fuse-records";
import type { FusionRun, LlmTaskMessage } from "./run-spec";
import type { TaskInputs } from "./task-input";
import { type FinishedTask, noRecordResult, resultOf, taskKeyOf } from "./task-result";
import { storedOr, writeTask } from "./write-task";

/** `POST /v1/llm/fusions` with an arbiter: the chosen records fused, their conflicts arbitrated, both recorded. */
export async function fusionTask(inputs: TaskInputs, message: LlmTaskMessage, run: FusionRun, deadline: number): Promise<FinishedTask> {
  const started = Date.now();
  let loaded: Awaited<ReturnType<typeof fusionInputs>>;
  try {
    loaded = await fusionInputs(inputs.db, message.orgId, run.recordIds);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { results: [noRecordResult("fusion", false, {}, { code: "SYSTEM", message: `The records can no longer be fused: ${error.message}` })] };
  }
  const base = { orgId: message.orgId, jobId: message.jobId, schemaId: loaded.version.schemaId, schemaVersion: loaded.version.version };
  const entityIds = new Set(loaded.records.map((r) => r.entityId));
  const entityId = entityIds.size === 1 ? (loaded.records[0]?.entityId ?? null) : null;
  const outcome = await fuseRecords(await inputs.callContext(message.orgId, deadline), {
    schema: loaded.schema,
    records: loaded.records,
    modelOrder: [],
    entity: {},
    arbitration: run.arbitration,
    arbitrationBase: { ...base, entityId, type: "arbitration", taskKey: taskKeyOf(message, "arbitration") },
    capCredits: message.capCredits,
    creditValueUsd: message.creditValueUsd,
  });
  const fusion = fusionRecord({ ...base, entityId, type: "fusion", taskKey: taskKeyOf(message, "fusion") }, outcome, run.recordIds, { onDemand: true }, Date.now() - started);
  const stored = await writeTask(inputs.db, { orgId: message.orgId, actorKeyId: message.actorKeyId, records: [...(outcome.arbitration ? [outcome.arbitration] : []), fusion] });
  const fused = storedOr(stored, fusion);
  const arbitration = outcome.arbitration ? storedOr(stored, outcome.arbitration) : null;
  return {
    results: [
      ...(arbitration ? [resultOf("fusion", arbitration, { recordType: "arbitration" })] : []),
      resultOf("fusion", fused, { recordType: "fusion", conflictReport: fused.conflictReport, sourceRecordIds: fused.sourceRecordIds, confidenceScore: fused.details?.confidenceScore }),
    ],
  };
}
