import type { Db } from "../../platform/db/client";
import { prebuiltInsert } from "../../platform/db/prebuilt-insert";
import { auditLog } from "../../db/schema/tenancy";
import { nowIso } from "../../platform/lib/time";
import type { SqlFragment } from "../../platform/db/sql-fragment";
import { rawStatement } from "../../platform/db/statements";

export interface AuditEntry {
  orgId: string;
  actorKeyId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data?: Record<string, unknown>;
}

const auditRow = (entry: AuditEntry): typeof auditLog.$inferInsert => ({
  id: crypto.randomUUID(),
  orgId: entry.orgId,
  actorKeyId: entry.actorKeyId,
  action: entry.action,
  targetType: entry.targetType,
  targetId: entry.targetId,
  at: nowIso(),
  data: entry.data ?? {},
});

/** Returns the insert so callers batch it with the write it describes: both land or neither does. */
export function auditStatement(db: Db, entry: AuditEntry) {
  return db.insert(auditLog).values(auditRow(entry));
}

const insertAudit = prebuiltInsert(auditLog);

/** The same insert as a D1 statement with prebuilt SQL, for paths that write one per result. */
export function auditPrepared(db: Db, entry: AuditEntry): D1PreparedStatement {
  return insertAudit(db, auditRow(entry));
}

/**
 * The audit row as a D1 statement that lands only when `onlyIf` holds: for an entry that describes a change decided
 * inside the same batch (the settlement that moved a record, the insert that was not ignored). `at` defaults to now.
 */
export function auditStatementIf(db: Db, entry: AuditEntry & { at?: string }, onlyIf: SqlFragment): D1PreparedStatement {
  const row = auditRow(entry);
  return rawStatement(
    db,
    `INSERT INTO audit_log (id, org_id, actor_key_id, action, target_type, target_id, at, data)
     SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${onlyIf.sql}`,
    row.id,
    row.orgId,
    row.actorKeyId,
    row.action,
    row.targetType,
    row.targetId,
    entry.at ?? row.at,
    JSON.stringify(row.data),
    ...onlyIf.params,
  );
}

/** For entries built from other rows in SQL (`insert … select`): tenancy hands out the insert, the caller the select. */
export const auditInsert = (db: Db) => db.insert(auditLog);

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await auditStatement(db, entry);
}
