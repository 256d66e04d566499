import { and, desc, eq, sql } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { entities } from "../../db/schema/entities";
import { type Attributes, type EntityType, attributeSchemaFor, compact, mergeAttributes, searchTextOf } from "../../domain/attributes";
import { ApiError, notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { validationDetails } from "../../platform/http/validation-details";
import { auditStatement } from "../tenancy";
import { isUniqueViolation } from "../../platform/db/unique-violation";
import { tagSet } from "./fields/tags";

export type EntityRow = typeof entities.$inferSelect;

export function presentEntity(row: EntityRow) {
  return {
    id: row.id,
    type: row.type,
    externalId: row.externalId,
    attributes: row.attributes,
    enriched: row.enriched,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Validates and normalizes attributes for the entity type; failures carry `attributes.<field>` paths. */
export function normalizeAttributes(type: EntityType, raw: unknown): Attributes {
  const parsed = attributeSchemaFor(type).safeParse(raw);
  if (!parsed.success) {
    throw new ApiError("VALIDATION_ERROR", "Invalid entity attributes", { details: validationDetails(parsed.error, ["attributes"]) });
  }
  return compact(parsed.data as Attributes);
}


const duplicateExternalId = (externalId: string) =>
  new ApiError("CONFLICT", `An entity with externalId '${externalId}' already exists`, { details: { externalId } });

export async function getEntity(db: Db, orgId: string, id: string): Promise<EntityRow> {
  const [row] = await db
    .select()
    .from(entities)
    .where(and(eq(entities.orgId, orgId), eq(entities.id, id)))
    .limit(1);
  if (!row) throw notFound("Entity");
  return row;
}

export async function findEntityByExternalId(db: Db, orgId: string, externalId: string): Promise<EntityRow | undefined> {
  const [row] = await db
    .select()
    .from(entities)
    .where(and(eq(entities.orgId, orgId), eq(entities.externalId, externalId)))
    .limit(1);
  return row;
}

export async function getEntityByExternalId(db: Db, orgId: string, externalId: string): Promise<EntityRow> {
  const row = await findEntityByExternalId(db, orgId, externalId);
  if (!row) throw notFound("Entity");
  return row;
}

export interface NewEntity {
  type: EntityType;
  externalId?: string | null;
  attributes: unknown;
}

export async function createEntity(db: Db, caller: Caller, input: NewEntity): Promise<EntityRow> {
  const attributes = normalizeAttributes(input.type, input.attributes);
  const now = nowIso();
  const row: EntityRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    type: input.type,
    externalId: input.externalId ?? null,
    attributes,
    enriched: {},
    tags: [],
    searchText: searchTextOf(input.type, input.externalId ?? null, attributes),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(entities).values(row),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "entity.created",
        targetType: "entity",
        targetId: row.id,
        data: { type: row.type, externalId: row.externalId },
      }),
    ]);
  } catch (error) {
    if (row.externalId && isUniqueViolation(error)) throw duplicateExternalId(row.externalId);
    throw error;
  }
  return row;
}

export interface EntityPatch {
  externalId?: string | null;
  /** Merged into the stored attributes; a null value removes that attribute. */
  attributes?: Record<string, unknown>;
  /** Replaces the entity's tags (a set: duplicates are dropped). */
  tags?: string[];
}

export async function updateEntity(db: Db, caller: Caller, existing: EntityRow, patch: EntityPatch): Promise<EntityRow> {
  const merged = patch.attributes ? compact(mergeAttributes(existing.attributes, patch.attributes)) : existing.attributes;
  const attributes = patch.attributes ? normalizeAttributes(existing.type, merged) : existing.attributes;
  const externalId = patch.externalId === undefined ? existing.externalId : patch.externalId;
  const tags = patch.tags === undefined ? existing.tags : tagSet(patch.tags);
  const updated: EntityRow = {
    ...existing,
    externalId,
    attributes,
    tags,
    searchText: searchTextOf(existing.type, externalId, attributes),
    updatedAt: nowIso(),
  };
  try {
    await db.batch([
      db
        .update(entities)
        .set({ externalId, attributes, tags, searchText: updated.searchText, updatedAt: updated.updatedAt })
        .where(and(eq(entities.orgId, caller.orgId), eq(entities.id, existing.id))),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "entity.updated",
        targetType: "entity",
        targetId: existing.id,
        data: { changed: Object.keys(patch.attributes ?? {}), externalId, ...(patch.tags === undefined ? {} : { tags }) },
      }),
    ]);
  } catch (error) {
    if (externalId && isUniqueViolation(error)) throw duplicateExternalId(externalId);
    throw error;
  }
  return updated;
}

/** PUT by externalId: replaces the attributes of an existing entity or creates it. */
export async function upsertEntityByExternalId(
  db: Db,
  caller: Caller,
  externalId: string,
  input: { type: EntityType; attributes: unknown },
): Promise<{ row: EntityRow; created: boolean; before?: EntityRow }> {
  const existing = await findEntityByExternalId(db, caller.orgId, externalId);
  if (!existing) {
    try {
      return { row: await createEntity(db, caller, { ...input, externalId }), created: true };
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "CONFLICT")) throw error;
      // Lost a race with a concurrent create of the same externalId: fall through to update it.
      const winner = await getEntityByExternalId(db, caller.orgId, externalId);
      return { row: await replaceAttributes(db, caller, winner, input), created: false, before: winner };
    }
  }
  return { row: await replaceAttributes(db, caller, existing, input), created: false, before: existing };
}

async function replaceAttributes(db: Db, caller: Caller, existing: EntityRow, input: { type: EntityType; attributes: unknown }) {
  if (existing.type !== input.type) {
    throw new ApiError("CONFLICT", `Entity '${existing.externalId}' is a ${existing.type}, not a ${input.type}`);
  }
  const attributes = normalizeAttributes(existing.type, input.attributes);
  return updateEntity(db, caller, { ...existing, attributes: {} }, { attributes });
}

export async function deleteEntity(db: Db, caller: Caller, id: string): Promise<void> {
  const existing = await getEntity(db, caller.orgId, id);
  await db.batch([
    db.delete(entities).where(and(eq(entities.orgId, caller.orgId), eq(entities.id, id))),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "entity.deleted",
      targetType: "entity",
      targetId: id,
      data: { type: existing.type, externalId: existing.externalId },
    }),
  ]);
}

export interface EntityListQuery {
  type?: EntityType;
  q?: string;
  limit: number;
  cursor?: Cursor;
}

export async function listEntities(db: Db, orgId: string, query: EntityListQuery) {
  const q = query.q?.trim().toLowerCase();
  const rows = await db
    .select()
    .from(entities)
    .where(
      and(
        eq(entities.orgId, orgId),
        query.type ? eq(entities.type, query.type) : undefined,
        q ? sql`${entities.searchText} LIKE ${`%${q.replace(/[%_\\]/g, (m) => `\\${m}`)}%`} ESCAPE '\\'` : undefined,
        afterCursor(entities.createdAt, entities.id, query.cursor),
      ),
    )
    .orderBy(desc(entities.createdAt), desc(entities.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentEntity), nextCursor: page.nextCursor };
}
