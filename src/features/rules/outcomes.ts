import type { Db } from "../../platform/db/client";
import { type ActionOutcome, type RuleAction, ruleEvaluations } from "../../db/schema/rules";
import { prebuiltInsert } from "../../platform/db/prebuilt-insert";
import { type SqlFragment, sqlFragment } from "../../platform/db/sql-fragment";
import { rawStatement } from "../../platform/db/statements";
import { addTagStatement } from "../entities";
import { auditStatementIf } from "../tenancy";
import type { Verdict } from "./evaluate";
import { MAX_RULE_DEPTH } from "./events";
import { reasonStatement } from "./risk";
import type { RuleRow } from "./store";

/** The event a rule was evaluated on, as stored (`rule_events`). */
export interface StoredEvent {
  id: string;
  orgId: string;
  type: string;
  entityId: string;
  data: Record<string, unknown>;
  depth: number;
  /** The rules whose enrichments led to this event, innermost last. */
  ruleIds: string[];
}

export interface EvaluationInput {
  rule: RuleRow;
  verdict: Verdict;
  event: StoredEvent;
  enrichmentIds: string[];
  at: string;
}

const insertEvaluation = prebuiltInsert(ruleEvaluations, "ON CONFLICT DO NOTHING");

/** Why a matching rule's run_enrichment does not run for this event, or null when it may. */
export function enrichmentBlocked(rule: RuleRow, event: StoredEvent): string | null {
  if (event.ruleIds.includes(rule.id)) return "loop: an enrichment this rule ran led to this event";
  if (event.depth >= MAX_RULE_DEPTH) return `depth limit: ${event.depth} rule-run enrichments led to this event (at most ${MAX_RULE_DEPTH})`;
  return null;
}

function insertAlert(db: Db, alertId: string, action: Extract<RuleAction, { type: "create_alert" }>, e: EvaluationInput, evaluationId: string, onlyIf: SqlFragment) {
  return rawStatement(
    db,
    `INSERT OR IGNORE INTO alerts (id, org_id, rule_id, rule_version, rule_name, evaluation_id, entity_id, event_id, event_type,
       enrichment_ids, severity, title, status, trace, score, created_at, updated_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ? WHERE ${onlyIf.sql}`,
    alertId,
    e.event.orgId,
    e.rule.id,
    e.rule.version,
    e.rule.name,
    evaluationId,
    e.event.entityId,
    e.event.id,
    e.event.type,
    JSON.stringify(e.enrichmentIds),
    action.severity,
    action.title,
    JSON.stringify(e.verdict.trace),
    e.rule.score,
    e.at,
    e.at,
    ...onlyIf.params,
  );
}

/**
 * Everything one (rule, event) evaluation writes, for the event's one D1 batch: the evaluation record (ignored when
 * the pair is already recorded) and, only when this very record is new, the alert, the risk contribution, the tags
 * and their audit rows. So a redelivered event or message writes nothing: no second alert, no risk added twice, no
 * tag twice. A shadow rule's record is written with every action skipped; a rule that did not match acts on nothing.
 * Work that cannot happen inside the batch (webhooks, enrichments) is left `pending` with `effectsPending` set.
 */
export function evaluationStatements(db: Db, e: EvaluationInput): D1PreparedStatement[] {
  const { rule, verdict, event } = e;
  const evaluationId = crypto.randomUUID();
  const isNew = sqlFragment("EXISTS (SELECT 1 FROM rule_evaluations WHERE id = ?)", evaluationId);
  const shadow = rule.status === "shadow";
  const audit = (action: string, targetType: string, targetId: string, data: Record<string, unknown>) =>
    auditStatementIf(db, { orgId: event.orgId, actorKeyId: null, action, targetType, targetId, data: { ruleId: rule.id, ruleVersion: rule.version, evaluationId, eventId: event.id, ...data }, at: e.at }, isNew);
  const writes: D1PreparedStatement[] = [];
  const outcomes: ActionOutcome[] = [];
  for (const action of verdict.matched ? rule.actions : []) {
    if (shadow) {
      outcomes.push({ type: action.type, status: "skipped", reason: "shadow rule" });
      continue;
    }
    switch (action.type) {
      case "create_alert": {
        const alertId = crypto.randomUUID();
        writes.push(insertAlert(db, alertId, action, e, evaluationId, isNew), audit("alert.created", "alert", alertId, { severity: action.severity }));
        outcomes.push({ type: action.type, status: "done", alertId });
        break;
      }
      case "set_risk":
        writes.push(
          reasonStatement(db, { orgId: event.orgId, entityId: event.entityId, ruleId: rule.id, ruleVersion: rule.version, score: rule.score, evaluationId, eventId: event.id, at: e.at }, isNew),
          audit("entity.risk_changed", "entity", event.entityId, { score: rule.score }),
        );
        outcomes.push({ type: action.type, status: "done", score: rule.score });
        break;
      case "add_tag":
        writes.push(addTagStatement(db, event.orgId, event.entityId, action.tag, isNew), audit("entity.tagged", "entity", event.entityId, { tag: action.tag }));
        outcomes.push({ type: action.type, status: "done", tag: action.tag });
        break;
      case "run_enrichment": {
        const blocked = enrichmentBlocked(rule, event);
        outcomes.push({ type: action.type, status: blocked ? "skipped" : "pending", integrationCodes: action.integrationCodes, ...(blocked ? { reason: blocked } : {}) });
        break;
      }
      case "send_webhook":
        outcomes.push({ type: action.type, status: "pending" });
        break;
    }
  }
  const effectsPending = outcomes.some((o) => o.status === "pending" || o.alertId !== undefined);
  const record = insertEvaluation(db, {
    id: evaluationId,
    orgId: event.orgId,
    ruleId: rule.id,
    ruleVersion: rule.version,
    eventId: event.id,
    eventType: event.type,
    entityId: event.entityId,
    matched: verdict.matched,
    shadow,
    trace: verdict.trace,
    actions: outcomes,
    effectsPending,
    enrichmentIds: e.enrichmentIds,
    depth: event.depth,
    evaluatedAt: e.at,
  });
  return [record, ...writes];
}

/** Marks the follow-up work of an evaluation done, with what became of each action; once. */
export function effectsDoneStatement(db: Db, evaluationId: string, outcomes: ActionOutcome[]): D1PreparedStatement {
  return rawStatement(db, "UPDATE rule_evaluations SET actions = ?, effects_pending = 0 WHERE id = ? AND effects_pending = 1", JSON.stringify(outcomes), evaluationId);
}
