import { executePlan, planRun } from "../../enrichment";
import { recordTaskResults } from "../../jobs";
import type { EnrichmentRun, LlmTaskMessage } from "./run-spec";
import type { TaskInputs } from "./task-input";
import { type FinishedTask, noRecordResult } from "./task-result";

/**
 * Grounding: the run's integrations for one of the organization's entities, through the normal enrichment path
 * (cache, credits, records, the entity's fields), recorded once per (job, entity, integration). The model tasks after
 * it put what they found, with the entity's stored fields, into their prompts.
 */
export async function groundTask(inputs: TaskInputs, message: LlmTaskMessage, run: EnrichmentRun, deadline: number): Promise<FinishedTask> {
  const entity = inputs.entityRow(message);
  if (!run.grounding || !entity) return { results: [noRecordResult("ground", false, { integrations: [] }, { code: "SYSTEM", message: "The entity no longer exists" })] };
  const { env, settings, db, connections } = inputs.context;
  const plan = await planRun(db, message.orgId, { integrationCodes: run.grounding.integrationCodes });
  const ran = await executePlan({ deps: { env, settings, db, orgId: message.orgId }, plan, entity, request: { strategy: "all" }, deadline, connections });
  const stored = await recordTaskResults(db, { orgId: message.orgId, jobId: message.jobId, entityId: entity.id, entityIndex: message.entityIndex, actorKeyId: message.actorKeyId }, entity.enriched, ran);
  const credits = stored.reduce((sum, r) => sum + (r.success ? r.credits : 0), 0);
  return {
    results: [
      {
        ...noRecordResult("ground", stored.some((r) => r.success), {
          integrations: stored.map((r) => ({ integrationCode: r.integrationCode, status: r.status, enrichmentId: r.enrichmentId, credits: r.credits, error: r.error?.code ?? null })),
        }),
        credits,
        costCents: stored.reduce((sum, r) => sum + r.costCents, 0),
      },
    ],
  };
}
