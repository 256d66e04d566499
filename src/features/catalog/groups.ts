import { and, desc, eq, or } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { enrichmentGroups } from "../../db/schema/catalog";
import { ApiError, notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { auditStatement } from "../tenancy";
import { isUniqueViolation } from "../../platform/db/unique-violation";

export type GroupRow = typeof enrichmentGroups.$inferSelect;

export function presentGroup(row: GroupRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    integrationCodes: row.integrationCodes,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const slugTaken = (slug: string) => new ApiError("CONFLICT", `An enrichment group with slug '${slug}' already exists`);

/** Refs are a slug or an id; both are unique within the organization. */
export async function findGroup(db: Db, orgId: string, ref: string): Promise<GroupRow | undefined> {
  const [row] = await db
    .select()
    .from(enrichmentGroups)
    .where(and(eq(enrichmentGroups.orgId, orgId), or(eq(enrichmentGroups.id, ref), eq(enrichmentGroups.slug, ref))))
    .limit(1);
  return row;
}

export async function getGroup(db: Db, orgId: string, ref: string): Promise<GroupRow> {
  const row = await findGroup(db, orgId, ref);
  if (!row) throw notFound("Enrichment group");
  return row;
}

export interface GroupInput {
  slug: string;
  name: string;
  description?: string | null;
  integrationCodes: string[];
}

export async function createGroup(db: Db, caller: Caller, input: GroupInput): Promise<GroupRow> {
  const now = nowIso();
  const row: GroupRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    slug: input.slug,
    name: input.name,
    description: input.description ?? null,
    integrationCodes: input.integrationCodes,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(enrichmentGroups).values(row),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "enrichment_group.created",
        targetType: "enrichment_group",
        targetId: row.id,
        data: { slug: row.slug, integrationCodes: row.integrationCodes },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(row.slug);
    throw error;
  }
  return row;
}

export async function updateGroup(db: Db, caller: Caller, existing: GroupRow, patch: Partial<GroupInput>): Promise<GroupRow> {
  const updated: GroupRow = {
    ...existing,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    updatedAt: nowIso(),
  };
  try {
    await db.batch([
      db
        .update(enrichmentGroups)
        .set({
          slug: updated.slug,
          name: updated.name,
          description: updated.description,
          integrationCodes: updated.integrationCodes,
          updatedAt: updated.updatedAt,
        })
        .where(and(eq(enrichmentGroups.orgId, caller.orgId), eq(enrichmentGroups.id, existing.id))),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "enrichment_group.updated",
        targetType: "enrichment_group",
        targetId: existing.id,
        data: { changed: Object.keys(patch) },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(updated.slug);
    throw error;
  }
  return updated;
}

export async function deleteGroup(db: Db, caller: Caller, existing: GroupRow): Promise<void> {
  await db.batch([
    db.delete(enrichmentGroups).where(and(eq(enrichmentGroups.orgId, caller.orgId), eq(enrichmentGroups.id, existing.id))),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "enrichment_group.deleted",
      targetType: "enrichment_group",
      targetId: existing.id,
      data: { slug: existing.slug },
    }),
  ]);
}

export async function listGroups(db: Db, orgId: string, limit: number, cursor?: Cursor) {
  const rows = await db
    .select()
    .from(enrichmentGroups)
    .where(and(eq(enrichmentGroups.orgId, orgId), afterCursor(enrichmentGroups.createdAt, enrichmentGroups.id, cursor)))
    .orderBy(desc(enrichmentGroups.createdAt), desc(enrichmentGroups.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentGroup), nextCursor: page.nextCursor };
}
