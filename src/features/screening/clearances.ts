import { and, desc, eq } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { sanctionsEntries, sanctionsLists, screeningClearances } from "../../db/schema/screening";
import { ApiError, notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { auditStatement } from "../tenancy";
import { getEntity } from "../entities";
import { isUniqueViolation } from "../../platform/db/unique-violation";

export type ClearanceRow = typeof screeningClearances.$inferSelect;

export function presentClearance(row: ClearanceRow) {
  return {
    id: row.id,
    entityId: row.entityId,
    sdnId: row.sdnId,
    note: row.note,
    createdAt: row.createdAt,
    createdByKeyId: row.createdByKeyId,
  };
}


/** Records that an SDN entry was reviewed and is not this entity; its match no longer raises a hit. */
export async function createClearance(db: Db, caller: Caller, input: { entityId: string; sdnId: number; note?: string }): Promise<ClearanceRow> {
  await getEntity(db, caller.orgId, input.entityId);
  const [listed] = await db
    .select({ sdnId: sanctionsEntries.sdnId })
    .from(sanctionsEntries)
    .innerJoin(sanctionsLists, and(eq(sanctionsLists.id, sanctionsEntries.listId), eq(sanctionsLists.status, "active")))
    .where(eq(sanctionsEntries.sdnId, input.sdnId))
    .limit(1);
  if (!listed) throw new ApiError("NOT_FOUND", `SDN entry ${input.sdnId} is not on the loaded list`);

  const row: ClearanceRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    entityId: input.entityId,
    sdnId: input.sdnId,
    note: input.note ?? null,
    createdAt: nowIso(),
    createdByKeyId: caller.keyId,
  };
  try {
    await db.batch([
      db.insert(screeningClearances).values(row),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "screening.clearance_created",
        targetType: "entity",
        targetId: input.entityId,
        data: { clearanceId: row.id, sdnId: row.sdnId, note: row.note },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError("CONFLICT", `SDN entry ${input.sdnId} is already cleared for this entity`, { details: { entityId: input.entityId, sdnId: input.sdnId } });
    }
    throw error;
  }
  return row;
}

export async function listClearances(db: Db, orgId: string, query: { entityId?: string; limit: number; cursor?: Cursor }) {
  if (query.entityId) await getEntity(db, orgId, query.entityId);
  const rows = await db
    .select()
    .from(screeningClearances)
    .where(
      and(
        eq(screeningClearances.orgId, orgId),
        query.entityId ? eq(screeningClearances.entityId, query.entityId) : undefined,
        afterCursor(screeningClearances.createdAt, screeningClearances.id, query.cursor),
      ),
    )
    .orderBy(desc(screeningClearances.createdAt), desc(screeningClearances.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentClearance), nextCursor: page.nextCursor };
}

/** Withdraws a clearance: the match raises a hit again on the next screening. */
export async function deleteClearance(db: Db, caller: Caller, id: string): Promise<void> {
  const where = and(eq(screeningClearances.orgId, caller.orgId), eq(screeningClearances.id, id));
  const [existing] = await db.select().from(screeningClearances).where(where).limit(1);
  if (!existing) throw notFound("Clearance");
  await db.batch([
    db.delete(screeningClearances).where(where),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "screening.clearance_deleted",
      targetType: "entity",
      targetId: existing.entityId,
      data: { clearanceId: id, sdnId: existing.sdnId },
    }),
  ]);
}
