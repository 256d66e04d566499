import type { Db } from "../db/client";
import { auditLog } from "../db/schema/tenancy";
import { nowIso } from "../lib/time";

export interface AuditEntry {
  orgId: string;
  actorKeyId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  data?: Record<string, unknown>;
}

/** Returns the insert so callers batch it with the write it describes: both land or neither does. */
export function auditStatement(db: Db, entry: AuditEntry) {
  return db.insert(auditLog).values({
    id: crypto.randomUUID(),
    orgId: entry.orgId,
    actorKeyId: entry.actorKeyId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    at: nowIso(),
    data: entry.data ?? {},
  });
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await auditStatement(db, entry);
}
