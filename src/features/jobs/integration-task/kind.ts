import { createDb } from "../../../platform/db/client";
import type { TaskKind } from "../engine/task-kind";
import type { TaskResult } from "../engine/types";
import { entityCompletedData, entityEvents, lostTaskResults, presentOutcome } from "./outcomes";
import { recordTaskResults } from "./record-results";
import { ENTITY_LANE, type JobTaskMessage, WATERFALL_LANE, integrationSpec, taskPerEntity } from "./spec";

export const INTEGRATION_TASK = "integration";

/** Integration calls: one task per entity x integration, or one per entity for a waterfall or a priced job; run by `runJobTasks`. */
export const integrationTask: TaskKind = {
  name: INTEGRATION_TASK,
  resultEvent: "enrichment_completed",

  started(jobSpec) {
    const spec = integrationSpec(jobSpec);
    return { integrationCodes: spec.integrationCodes, strategy: spec.strategy };
  },

  plan(jobSpec, idx) {
    const spec = integrationSpec(jobSpec);
    const price = (codes: string[]) => spec.entityCredits ?? codes.reduce((sum, code) => sum + (spec.chargeByCode[code] ?? 0), 0);
    const maxCharge = (codes: string[]) => (spec.reservedCredits > 0 ? price(codes) : 0);
    if (taskPerEntity(spec)) {
      const lane = spec.strategy === "waterfall" ? WATERFALL_LANE : ENTITY_LANE;
      return [{ id: `${idx}`, lane, codes: spec.integrationCodes, maxCharge: maxCharge(spec.integrationCodes) }];
    }
    return spec.integrationCodes.map((code) => ({ id: `${idx}:${code}`, lane: code, codes: [code], maxCharge: maxCharge([code]) }));
  },

  message(jobSpec, task, dispatch): JobTaskMessage {
    const spec = integrationSpec(jobSpec);
    return {
      kind: "job_task",
      jobId: spec.jobId,
      taskId: task.id,
      dispatch,
      orgId: spec.orgId,
      actorKeyId: spec.actorKeyId,
      entityId: task.entity_id,
      entityIndex: task.entity_idx,
      integrationCodes: JSON.parse(task.codes) as string[],
      strategy: spec.strategy,
      params: spec.params,
      forceRefresh: spec.forceRefresh,
      ...(spec.entityCredits === undefined ? {} : { entityCredits: spec.entityCredits }),
    };
  },

  /** A task sent too often without a report is recorded as timed out, unless a late run got into D1 first. */
  async recordLost(env, spec, task) {
    const lost = lostTaskResults(task.codes, task.dispatches, spec.perEntityTimeoutMs);
    const stored: TaskResult[] = await recordTaskResults(
      createDb(env.DB),
      { orgId: spec.orgId, jobId: spec.jobId, entityId: task.entityId, entityIndex: task.entityIndex, actorKeyId: spec.actorKeyId },
      {},
      lost,
    );
    return { lost, stored };
  },

  entityCompleted: entityCompletedData,
  entityEvents,
  presentOutcome,
};
