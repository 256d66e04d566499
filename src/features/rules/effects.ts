import type { Db } from "../../platform/db/client";
import type { ActionOutcome } from "../../db/schema/rules";
import type { Env } from "../../platform/env";
import { type DomainEvent, publish } from "../../platform/events";
import { alertEvent, alertsOfEvaluations } from "./alerts";
import { derivedEvent } from "./events";
import type { EvaluationRow } from "./evaluations";
import { type StoredEvent, effectsDoneStatement } from "./outcomes";
import { runRuleEnrichment } from "./run-enrichment";
import type { RuleRow } from "./store";

function ruleMatched(evaluation: EvaluationRow, rule: RuleRow | undefined, alertId: string | null): DomainEvent {
  return derivedEvent("rule.matched", `evt_rule_matched_${evaluation.id}`, evaluation.orgId, {
    ruleId: evaluation.ruleId,
    ruleVersion: evaluation.ruleVersion,
    ruleName: rule?.name ?? null,
    evaluationId: evaluation.id,
    entityId: evaluation.entityId,
    eventId: evaluation.eventId,
    eventType: evaluation.eventType,
    score: rule?.score ?? null,
    alertId,
    enrichmentIds: evaluation.enrichmentIds,
    trace: evaluation.trace,
  }, evaluation.evaluatedAt);
}

/**
 * The work an evaluation leaves for after its batch: `alert.created` for the alert it made, `rule.matched` for
 * send_webhook, and run_enrichment. Each is safe to do again (event ids and enrichment records are derived from the
 * evaluation), so a message redelivered after a crash half-way does what was left and duplicates nothing; the
 * evaluation is marked done last. `rules` are the rules by id (for names and scores).
 */
export async function runEffects(env: Env, db: Db, event: StoredEvent, pending: EvaluationRow[], rules: Map<string, RuleRow>): Promise<void> {
  const alerts = await alertsOfEvaluations(
    db,
    event.orgId,
    pending.map((e) => e.id),
  );
  for (const evaluation of pending) {
    const rule = rules.get(evaluation.ruleId);
    const alert = alerts.find((a) => a.evaluationId === evaluation.id);
    const events: DomainEvent[] = alert ? [alertEvent("alert.created", { ...alert, status: "open", updatedAt: alert.createdAt })] : [];
    const outcomes: ActionOutcome[] = [];
    for (const outcome of evaluation.actions) {
      if (outcome.status === "pending" && outcome.type === "send_webhook") {
        const matched = ruleMatched(evaluation, rule, alert?.id ?? null);
        events.push(matched);
        outcomes.push({ ...outcome, status: "done", eventId: matched.id });
      } else if (outcome.status === "pending" && outcome.type === "run_enrichment") {
        outcomes.push(await runRuleEnrichment(env, db, { event, ruleId: evaluation.ruleId, evaluationId: evaluation.id, integrationCodes: outcome.integrationCodes ?? [] }));
      } else {
        outcomes.push(outcome);
      }
    }
    await publish(env, events);
    await effectsDoneStatement(db, evaluation.id, outcomes).run();
  }
}
