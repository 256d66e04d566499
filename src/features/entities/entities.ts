import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
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
import type { Env } from "../../platform/env";
import { prepared, runStatements } from "../../platform/db/statements";
import { changedAttributes, presentSources, sourcesAfterCustomerWrite, touchedBy } from "./fields/provenance";
import { tagSet } from "./fields/tags";
import { type EntityWrite, checkEntityWrites, entityWriteStatements } from "./write-hooks";

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

/** `?include=provenance`: the entity plus where each attribute's value came from. */
export function presentWithProvenance(row: EntityRow) {
  return { ...presentEntity(row), attributeSources: presentSources(row.attributes, row.attributeSources, row.createdAt) };
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

/**
 * The organization's entities named by `refs`, each an entity id or an externalId (an id wins when a value is both),
 * in one read: ref → entity. Refs that name nothing are absent. At most 100 refs (one IN list each).
 */
export async function findEntitiesByRef(db: Db, orgId: string, refs: readonly string[]): Promise<Map<string, EntityRow>> {
  if (refs.length === 0) return new Map();
  if (refs.length > 100) throw new Error("findEntitiesByRef takes at most 100 refs");
  const rows = await db
    .select()
    .from(entities)
    .where(and(eq(entities.orgId, orgId), or(inArray(entities.id, [...refs]), inArray(entities.externalId, [...refs]))));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byExternalId = new Map(rows.flatMap((r) => (r.externalId ? [[r.externalId, r] as const] : [])));
  const found = new Map<string, EntityRow>();
  for (const ref of refs) {
    const row = byId.get(ref) ?? byExternalId.get(ref);
    if (row) found.set(ref, row);
  }
  return found;
}

/** What a customer write needs beyond the database: the caller, and where work after the commit goes (`waitUntil`). */
export interface EntityWriteContext {
  db: Db;
  env: Env;
  caller: Caller;
  /** Keeps work that runs after the commit (queue messages, events) alive past the response. */
  defer: (work: Promise<unknown>) => void;
}

export interface NewEntity {
  type: EntityType;
  externalId?: string | null;
  attributes: unknown;
  /** Integrations to run once on creation, through the write hooks (auto-enrichment). */
  integrationCodes?: string[];
}

const stampOf = (caller: Caller, at: string) => ({ at, keyId: caller.keyId });

/**
 * Runs one customer write: the hooks' checks, then the entity statement, its audit row and the hooks' statements in one
 * D1 batch, then (deferred) the hooks' after-commit work and the `entity.*` event.
 */
async function writeWithHooks(ctx: EntityWriteContext, write: EntityWrite, own: D1PreparedStatement[]): Promise<void> {
  await checkEntityWrites(ctx.db, [write]);
  const pending = entityWriteStatements(ctx.db, [write]);
  const results = await runStatements(ctx.db, [...own, ...pending.statements]);
  ctx.defer(pending.committed(ctx.env, results.slice(own.length)));
}

/** What an update changed, as the write hooks and `entity.updated` name it: attributes, then externalId and tags. */
function changedBy(before: EntityRow, after: EntityRow): string[] {
  const changed = changedAttributes(before.attributes, after.attributes);
  if (before.externalId !== after.externalId) changed.push("externalId");
  if (JSON.stringify(before.tags) !== JSON.stringify(after.tags)) changed.push("tags");
  return changed;
}

function writeOf(caller: Caller, row: EntityRow, change: EntityWrite["change"], origin: EntityWrite["origin"], changed: string[]): EntityWrite {
  return {
    orgId: caller.orgId,
    entityId: row.id,
    entityType: row.type,
    externalId: row.externalId,
    change,
    origin,
    changed,
    actorKeyId: caller.keyId,
    at: row.updatedAt,
  };
}

export async function createEntity(ctx: EntityWriteContext, input: NewEntity, origin: EntityWrite["origin"] = "api"): Promise<EntityRow> {
  const { db, caller } = ctx;
  const attributes = normalizeAttributes(input.type, input.attributes);
  const now = nowIso();
  const row: EntityRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    type: input.type,
    externalId: input.externalId ?? null,
    attributes,
    enriched: {},
    attributeSources: sourcesAfterCustomerWrite({}, {}, attributes, [], stampOf(caller, now)),
    tags: [],
    searchText: searchTextOf(input.type, input.externalId ?? null, attributes),
    createdAt: now,
    updatedAt: now,
  };
  const write = { ...writeOf(caller, row, "created", origin, changedAttributes({}, attributes)), ...(input.integrationCodes ? { integrationCodes: input.integrationCodes } : {}) };
  try {
    await writeWithHooks(ctx, write, [
      prepared(db, db.insert(entities).values(row)),
      prepared(
        db,
        auditStatement(db, {
          orgId: caller.orgId,
          actorKeyId: caller.keyId,
          action: "entity.created",
          targetType: "entity",
          targetId: row.id,
          data: { type: row.type, externalId: row.externalId, ...(input.integrationCodes ? { integrationCodes: input.integrationCodes } : {}) },
        }),
      ),
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

/** A PATCH merges into the stored attributes; a replace (PUT by externalId, `attributes` already normalized) sets them whole. */
export async function updateEntity(
  ctx: EntityWriteContext,
  existing: EntityRow,
  patch: EntityPatch,
  how: { origin: EntityWrite["origin"]; replace: boolean } = { origin: "api", replace: false },
): Promise<EntityRow> {
  const { db, caller } = ctx;
  const merged = patch.attributes && !how.replace ? compact(mergeAttributes(existing.attributes, patch.attributes)) : patch.attributes;
  const attributes = merged ? normalizeAttributes(existing.type, merged) : existing.attributes;
  const touched = touchedBy(patch.attributes ?? {});
  const externalId = patch.externalId === undefined ? existing.externalId : patch.externalId;
  const tags = patch.tags === undefined ? existing.tags : tagSet(patch.tags);
  const now = nowIso();
  const attributeSources = sourcesAfterCustomerWrite(existing.attributeSources, existing.attributes, attributes, touched, stampOf(caller, now));
  const updated: EntityRow = {
    ...existing,
    externalId,
    attributes,
    attributeSources,
    tags,
    searchText: searchTextOf(existing.type, externalId, attributes),
    updatedAt: now,
  };
  try {
    await writeWithHooks(ctx, writeOf(caller, updated, "updated", how.origin, changedBy(existing, updated)), [
      prepared(
        db,
        db
          .update(entities)
          // Tags only when the PATCH sets them, so a rule's add_tag landing meanwhile is not written over.
          .set({ externalId, attributes, attributeSources, ...(patch.tags === undefined ? {} : { tags }), searchText: updated.searchText, updatedAt: updated.updatedAt })
          .where(and(eq(entities.orgId, caller.orgId), eq(entities.id, existing.id))),
      ),
      prepared(
        db,
        auditStatement(db, {
          orgId: caller.orgId,
          actorKeyId: caller.keyId,
          action: "entity.updated",
          targetType: "entity",
          targetId: existing.id,
          data: { changed: Object.keys(patch.attributes ?? {}), externalId, ...(patch.tags === undefined ? {} : { tags }) },
        }),
      ),
    ]);
  } catch (error) {
    if (externalId && isUniqueViolation(error)) throw duplicateExternalId(externalId);
    throw error;
  }
  return updated;
}

/** PUT by externalId: replaces the attributes of an existing entity or creates it (an import, for the write hooks). */
export async function upsertEntityByExternalId(
  ctx: EntityWriteContext,
  externalId: string,
  input: { type: EntityType; attributes: unknown },
): Promise<{ row: EntityRow; created: boolean }> {
  const existing = await findEntityByExternalId(ctx.db, ctx.caller.orgId, externalId);
  if (!existing) {
    try {
      return { row: await createEntity(ctx, { ...input, externalId }, "import"), created: true };
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "CONFLICT")) throw error;
      // Lost a race with a concurrent create of the same externalId: fall through to update it.
      const winner = await getEntityByExternalId(ctx.db, ctx.caller.orgId, externalId);
      return { row: await replaceAttributes(ctx, winner, input), created: false };
    }
  }
  return { row: await replaceAttributes(ctx, existing, input), created: false };
}

async function replaceAttributes(ctx: EntityWriteContext, existing: EntityRow, input: { type: EntityType; attributes: unknown }) {
  if (existing.type !== input.type) {
    throw new ApiError("CONFLICT", `Entity '${existing.externalId}' is a ${existing.type}, not a ${input.type}`);
  }
  // A replace is the customer's whole record: every attribute it sends is theirs, whatever wrote it before.
  return updateEntity(ctx, existing, { attributes: normalizeAttributes(existing.type, input.attributes) }, { origin: "import", replace: true });
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
