import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { entities } from "../../db/schema/entities";
import { enrichments } from "../../db/schema/enrichment";
import { ruleEvents, rules } from "../../db/schema/rules";
import { rawStatement, runStatements } from "../../platform/db/statements";
import { nowIso } from "../../platform/lib/time";
import type { EntityRow } from "../entities";
import { type Verdict, evaluateRules } from "./evaluate";
import { type ResultFact, factsOf, resultFacts } from "./facts";
import { type EvaluationRow, evaluationsOfEvent } from "./evaluations";
import { triggerOf } from "./events";
import { type StoredEvent, evaluationStatements } from "./outcomes";
import { reasonsQuery, thresholdsOf, thresholdsQuery } from "./risk";
import { riskOf } from "./risk-level";
import type { RuleRow } from "./store";

/**
 * An entity's state as rules see it, as statements for the caller's one read batch: the entity, its risk reasons,
 * the thresholds and, when wanted (a manual run has no event results), its enrichment records oldest first.
 */
const entityStateReads = (db: Db, orgId: string, entityId: string, withRecords: boolean) =>
  [
    db
      .select()
      .from(entities)
      .where(and(eq(entities.orgId, orgId), eq(entities.id, entityId)))
      .limit(1),
    reasonsQuery(db, orgId, entityId),
    thresholdsQuery(db, orgId),
    db
      .select()
      .from(enrichments)
      .where(and(eq(enrichments.orgId, orgId), eq(enrichments.entityId, entityId), ne(enrichments.status, "skipped")))
      .orderBy(asc(enrichments.createdAt))
      .limit(withRecords ? 500 : 0),
  ] as const;

type StateRows = readonly [EntityRow[], Awaited<ReturnType<typeof reasonsQuery>>, Awaited<ReturnType<typeof thresholdsQuery>>, (typeof enrichments.$inferSelect)[]];

function stateOf([entityRows, reasons, thresholds, records]: StateRows) {
  return { entity: entityRows[0], risk: riskOf(reasons.map((r) => r.reason.score), thresholdsOf(thresholds)), records };
}

/** An entity now, with its latest enrichment results as facts (the test endpoint, a manual run). */
export async function entityState(db: Db, orgId: string, entityId: string) {
  const state = stateOf(await db.batch(entityStateReads(db, orgId, entityId, true)));
  return { ...state, results: resultFacts(state.records) };
}

/** What one evaluation of an event reads, in one round trip: the rules that may run, and the entity's state. */
async function loadContext(db: Db, event: StoredEvent, manual: boolean) {
  const [ruleRows, ...state] = await db.batch([
    db
      .select()
      .from(rules)
      .where(and(eq(rules.orgId, event.orgId), inArray(rules.status, ["active", "shadow"]))),
    ...entityStateReads(db, event.orgId, event.entityId, manual),
  ]);
  return { rules: ruleRows, ...stateOf(state) };
}

/** Whether a rule runs on this event: its entity type, its events (not for a manual run) and its integrations. */
export function applies(rule: RuleRow, event: StoredEvent, entity: EntityRow, results: Record<string, ResultFact>, manual: boolean): boolean {
  if (!rule.entityTypes.includes(entity.type)) return false;
  if (manual) return true;
  if (!(rule.events as string[]).includes(event.type)) return false;
  return !rule.integrationCodes || rule.integrationCodes.some((code) => code in results);
}

/** The triggering event's enrichment records a rule looked at (those of its integrations, when it names some). */
const enrichmentIdsFor = (rule: RuleRow, results: Record<string, ResultFact>) =>
  Object.entries(results).flatMap(([code, r]) => (r.enrichmentId && (!rule.integrationCodes || rule.integrationCodes.includes(code)) ? [r.enrichmentId] : []));

export const processedStatement = (db: Db, eventId: string) => rawStatement(db, "UPDATE rule_events SET processed_at = ? WHERE id = ? AND processed_at IS NULL", nowIso(), eventId);

export interface EvaluatedEvent {
  evaluations: EvaluationRow[];
  rules: Map<string, RuleRow>;
}

/**
 * Evaluates the organization's active and shadow rules that apply to one stored event, against the entity as it is
 * now, and writes every outcome in ONE D1 batch (with the event marked processed). Then reads back the event's
 * evaluation records, which are the first ones written for each rule whatever happened since: the caller runs the
 * follow-up work of those still pending (`runEffects`). A deleted entity has nothing to evaluate.
 */
export async function evaluateEvent(db: Db, event: StoredEvent, opts: { manual?: boolean } = {}): Promise<EvaluatedEvent> {
  const manual = opts.manual === true;
  const context = await loadContext(db, event, manual);
  const byId = new Map(context.rules.map((r) => [r.id, r]));
  if (!context.entity) {
    await processedStatement(db, event.id).run();
    return { evaluations: [], rules: byId };
  }
  const entity = context.entity;
  const results = resultFacts(manual ? context.records : event.data.results);
  // Higher priority first: their actions come first in the batch (the order tags are added in).
  const applicable = context.rules.filter((rule) => applies(rule, event, entity, results, manual)).sort((a, b) => b.priority - a.priority || a.createdAt.localeCompare(b.createdAt));
  const verdicts = await evaluateRules(applicable, factsOf(entity, context.risk, event, results));
  const at = nowIso();
  const statements = applicable.flatMap((rule) =>
    evaluationStatements(db, { rule, verdict: verdicts.get(rule.id) as Verdict, event, enrichmentIds: enrichmentIdsFor(rule, results), at }),
  );
  await runStatements(db, [...statements, processedStatement(db, event.id)]);
  const evaluations = applicable.length > 0 ? await evaluationsOfEvent(db, event.orgId, event.id) : [];
  return { evaluations, rules: byId };
}

export async function loadStoredEvent(db: Db, orgId: string, eventId: string): Promise<StoredEvent | null> {
  const [row] = await db
    .select()
    .from(ruleEvents)
    .where(and(eq(ruleEvents.orgId, orgId), eq(ruleEvents.id, eventId)))
    .limit(1);
  if (!row) return null;
  return { id: row.id, orgId: row.orgId, type: row.type, entityId: row.entityId, data: row.data, depth: row.depth, ruleIds: triggerOf(row.data).ruleIds };
}
