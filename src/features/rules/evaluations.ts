import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { ruleEvaluations } from "../../db/schema/rules";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";

export type EvaluationRow = typeof ruleEvaluations.$inferSelect;

export function presentEvaluation(row: EvaluationRow) {
  return {
    id: row.id,
    ruleId: row.ruleId,
    ruleVersion: row.ruleVersion,
    eventId: row.eventId,
    eventType: row.eventType,
    entityId: row.entityId,
    matched: row.matched,
    shadow: row.shadow,
    trace: row.trace,
    actions: row.actions,
    enrichmentIds: row.enrichmentIds,
    depth: row.depth,
    evaluatedAt: row.evaluatedAt,
  };
}

/** The evaluations of one event, one per rule. */
export const evaluationsOfEvent = (db: Db, orgId: string, eventId: string) =>
  db
    .select()
    .from(ruleEvaluations)
    .where(and(eq(ruleEvaluations.orgId, orgId), eq(ruleEvaluations.eventId, eventId)));

export interface EvaluationListQuery {
  ruleId?: string;
  entityId?: string;
  eventId?: string;
  matched?: boolean;
  limit: number;
  cursor?: Cursor;
}

export async function listEvaluations(db: Db, orgId: string, q: EvaluationListQuery) {
  const rows = await db
    .select()
    .from(ruleEvaluations)
    .where(
      and(
        eq(ruleEvaluations.orgId, orgId),
        q.ruleId ? eq(ruleEvaluations.ruleId, q.ruleId) : undefined,
        q.entityId ? eq(ruleEvaluations.entityId, q.entityId) : undefined,
        q.eventId ? eq(ruleEvaluations.eventId, q.eventId) : undefined,
        q.matched === undefined ? undefined : eq(ruleEvaluations.matched, q.matched),
        afterCursor(ruleEvaluations.evaluatedAt, ruleEvaluations.id, q.cursor),
      ),
    )
    .orderBy(desc(ruleEvaluations.evaluatedAt), desc(ruleEvaluations.id))
    .limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => ({ k: r.evaluatedAt, id: r.id }));
  return { data: page.data.map(presentEvaluation), nextCursor: page.nextCursor };
}
