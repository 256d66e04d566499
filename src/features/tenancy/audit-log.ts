import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { auditLog } from "../../db/schema/tenancy";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";

export interface AuditQuery {
  action?: string;
  targetType?: string;
  targetId?: string;
  limit: number;
  cursor?: Cursor;
}

export async function listAuditLog(db: Db, orgId: string, q: AuditQuery) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.orgId, orgId),
        q.action ? eq(auditLog.action, q.action) : undefined,
        q.targetType ? eq(auditLog.targetType, q.targetType) : undefined,
        q.targetId ? eq(auditLog.targetId, q.targetId) : undefined,
        afterCursor(auditLog.at, auditLog.id, q.cursor),
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => ({ k: r.at, id: r.id }));
  return {
    data: page.data.map((r) => ({
      id: r.id,
      actorKeyId: r.actorKeyId,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      at: r.at,
      data: r.data ?? {},
    })),
    nextCursor: page.nextCursor,
  };
}
