import type { Db } from "../../platform/db/client";
import { prebuiltInsert } from "../../platform/db/prebuilt-insert";
import { auditLog } from "../../db/schema/tenancy";
import { nowIso } from "../../platform/lib/time";

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

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await auditStatement(db, entry);
}
