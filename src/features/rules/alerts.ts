import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { type AlertResolution, type AlertStatus, type Severity, alerts } from "../../db/schema/rules";
import { ApiError, notFound } from "../../platform/errors";
import type { DomainEvent } from "../../platform/events";
import type { Caller } from "../../platform/http/context";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { sqlFragment } from "../../platform/db/sql-fragment";
import { prepared, runStatements } from "../../platform/db/statements";
import { nowIso } from "../../platform/lib/time";
import { auditStatementIf } from "../tenancy";
import { derivedEvent } from "./events";
import { reasonRemoval } from "./risk";

export type AlertRow = typeof alerts.$inferSelect;

export function presentAlert(row: AlertRow) {
  return {
    id: row.id,
    ruleId: row.ruleId,
    ruleVersion: row.ruleVersion,
    ruleName: row.ruleName,
    evaluationId: row.evaluationId,
    entityId: row.entityId,
    eventId: row.eventId,
    eventType: row.eventType,
    enrichmentIds: row.enrichmentIds,
    severity: row.severity,
    title: row.title,
    status: row.status,
    score: row.score,
    trace: row.trace,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedByKeyId: row.acknowledgedByKeyId,
    resolvedAt: row.resolvedAt,
    resolvedByKeyId: row.resolvedByKeyId,
    resolution: row.resolution,
    note: row.note,
  };
}

export async function getAlert(db: Db, orgId: string, id: string): Promise<AlertRow> {
  const [row] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.orgId, orgId), eq(alerts.id, id)))
    .limit(1);
  if (!row) throw notFound("Alert");
  return row;
}

export async function alertsOfEvaluations(db: Db, orgId: string, evaluationIds: string[]): Promise<AlertRow[]> {
  if (evaluationIds.length === 0) return [];
  return db
    .select()
    .from(alerts)
    .where(and(eq(alerts.orgId, orgId), inArray(alerts.evaluationId, evaluationIds)));
}

export interface AlertListQuery {
  status?: AlertStatus;
  severity?: Severity;
  entityId?: string;
  ruleId?: string;
  limit: number;
  cursor?: Cursor;
}

export async function listAlerts(db: Db, orgId: string, q: AlertListQuery) {
  const rows = await db
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.orgId, orgId),
        q.status ? eq(alerts.status, q.status) : undefined,
        q.severity ? eq(alerts.severity, q.severity) : undefined,
        q.entityId ? eq(alerts.entityId, q.entityId) : undefined,
        q.ruleId ? eq(alerts.ruleId, q.ruleId) : undefined,
        afterCursor(alerts.createdAt, alerts.id, q.cursor),
      ),
    )
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentAlert), nextCursor: page.nextCursor };
}

/** `alert.created` / `alert.updated`, with an id per alert and status, so publishing it again delivers nothing new. */
export const alertEvent = (type: "alert.created" | "alert.updated", row: AlertRow): DomainEvent =>
  derivedEvent(type, `evt_alert_${row.id}_${row.status}`, row.orgId, presentAlert(row), row.updatedAt);

/** Which statuses each move starts from: open → acknowledged → resolved, or open → resolved. */
const FROM: Record<"acknowledged" | "resolved", AlertStatus[]> = { acknowledged: ["open"], resolved: ["open", "acknowledged"] };

export interface AlertMove {
  to: "acknowledged" | "resolved";
  resolution?: AlertResolution;
  note?: string;
}

/**
 * Moves an alert forward, once: the change is conditional on the status it starts from, and its audit row (and, for
 * a false positive, the removal of the rule's contribution to the entity's risk) lands only with that very change.
 * Another status is a 409 naming it.
 */
export async function moveAlert(db: Db, caller: Caller, id: string, move: AlertMove): Promise<AlertRow> {
  const existing = await getAlert(db, caller.orgId, id);
  const conflict = (status: AlertStatus) =>
    new ApiError("CONFLICT", `The alert is ${status}; only ${FROM[move.to].join(" or ")} alerts can be ${move.to}`, { details: { status } });
  if (!FROM[move.to].includes(existing.status)) throw conflict(existing.status);
  const at = nowIso();
  const transitionId = crypto.randomUUID();
  const changed = sqlFragment("EXISTS (SELECT 1 FROM alerts WHERE id = ? AND transition_id = ?)", id, transitionId);
  const set =
    move.to === "acknowledged"
      ? { status: move.to, acknowledgedAt: at, acknowledgedByKeyId: caller.keyId, updatedAt: at, transitionId }
      : { status: move.to, resolvedAt: at, resolvedByKeyId: caller.keyId, resolution: move.resolution ?? null, note: move.note ?? null, updatedAt: at, transitionId };
  const statements = [
    prepared(db, db.update(alerts).set(set).where(and(eq(alerts.orgId, caller.orgId), eq(alerts.id, id), inArray(alerts.status, FROM[move.to])))),
    auditStatementIf(
      db,
      { orgId: caller.orgId, actorKeyId: caller.keyId, action: `alert.${move.to}`, targetType: "alert", targetId: id, data: { ruleId: existing.ruleId, resolution: move.resolution ?? null }, at },
      changed,
    ),
  ];
  if (move.resolution === "false_positive") statements.push(reasonRemoval(db, caller.orgId, existing.entityId, existing.evaluationId, changed));
  await runStatements(db, statements);
  const after = await getAlert(db, caller.orgId, id);
  if (after.transitionId !== transitionId) throw conflict(after.status);
  return after;
}
