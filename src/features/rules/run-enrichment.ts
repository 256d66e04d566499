import type { Db } from "../../platform/db/client";
import type { ActionOutcome } from "../../db/schema/rules";
import { type Env, readSettings } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import { publish } from "../../platform/events";
import { runStatements } from "../../platform/db/statements";
import { derivedUuid } from "../../platform/lib/crypto";
import { releaseCredits, releaseStatement, reserveCredits } from "../billing";
import { eventsFor, executePlan, maxChargeOf, persistStatements, planRun } from "../enrichment";
import type { EnrichmentResult } from "../enrichment";
import { getEntity } from "../entities";
import type { RuleTrigger } from "./events";
import type { StoredEvent } from "./outcomes";

export interface RuleEnrichment {
  event: StoredEvent;
  ruleId: string;
  evaluationId: string;
  integrationCodes: string[];
}

/**
 * A matching rule's `run_enrichment`, through the enrichment feature as a synchronous run would: plan, prepaid hold,
 * run, then records, charges and the hold's release in one batch. Its record ids and task keys are derived from the
 * evaluation, so running it again (a redelivered message) records and charges nothing new. Its
 * `enrichment.completed`/`failed` event has an id derived the same way and carries `data.trigger`: one level deeper,
 * and this rule among those that led to it, which is what stops a rule from feeding itself.
 */
export async function runRuleEnrichment(env: Env, db: Db, job: RuleEnrichment): Promise<ActionOutcome> {
  const { event, evaluationId } = job;
  const outcome: ActionOutcome = { type: "run_enrichment", status: "done", integrationCodes: job.integrationCodes };
  let entity: Awaited<ReturnType<typeof getEntity>>;
  let plan: Awaited<ReturnType<typeof planRun>>;
  let reserved = 0;
  try {
    entity = await getEntity(db, event.orgId, event.entityId);
    plan = await planRun(db, event.orgId, { integrationCodes: job.integrationCodes });
    reserved = (await reserveCredits(db, event.orgId, maxChargeOf(plan))).reserved;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ...outcome, status: "failed", reason: `${error.code}: ${error.message}` };
  }
  const ids = new Map(await Promise.all(plan.integrations.map(async (i) => [i.code, await derivedUuid(`rule:${evaluationId}:${i.code}`)] as const)));
  let results: EnrichmentResult[];
  try {
    results = await executePlan({
      deps: { env, settings: readSettings(env), db, orgId: event.orgId },
      plan,
      entity,
      request: { integrationCodes: job.integrationCodes },
      enrichmentIdOf: (integration) => ids.get(integration.code) ?? crypto.randomUUID(),
    });
    await runStatements(db, [
      ...(reserved > 0 ? [releaseStatement(db, event.orgId, reserved)] : []),
      ...persistStatements(db, {
        orgId: event.orgId,
        entityId: entity.id,
        entityEnriched: entity.enriched,
        results,
        actorKeyId: null,
        taskKeyOf: (r) => `rule:${evaluationId}:${r.integrationCode}`,
      }),
    ]);
  } catch (error) {
    await releaseCredits(db, event.orgId, reserved);
    throw error;
  }
  const trigger: RuleTrigger = { kind: "rule", ruleId: job.ruleId, evaluationId, depth: event.depth + 1, ruleIds: [...event.ruleIds, job.ruleId] };
  const eventId = `evt_rule_${evaluationId}`;
  const events = eventsFor(event.orgId, entity.id, results, { trigger }).map((e) => ({ ...e, id: eventId }));
  await publish(env, events);
  return { ...outcome, enrichmentIds: results.filter((r) => r.status !== "skipped").map((r) => r.enrichmentId), ...(events.length > 0 ? { eventId } : {}) };
}
