import { and, eq, inArray } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { entities } from "../../db/schema/entities";
import type { Attributes, EntityType } from "../../domain/attributes";
import { ApiError } from "../../platform/errors";
import type { JobEntity } from "./engine/types";
import { nowIso } from "../../platform/lib/time";
import { auditStatement } from "../tenancy";
import { type EntityWrite, attributeEntries, checkEntityWrites, entityWriteStatements, normalizeAttributes, upsertEntityStatement } from "../entities";
import type { Env } from "../../platform/env";
import { IN_LIST_LIMIT, prepared as preparedStatement, runStatements } from "../../platform/db/statements";

export interface InlineEntity {
  type: EntityType;
  externalId?: string | null;
  attributes: unknown;
}

/** An entity id of the organization, or an entity given inline (upserted by externalId when it has one). */
export type JobEntityInput = string | InlineEntity;

export const MAX_JOB_ENTITIES = 1000;

/** Entities per D1 batch (each is an upsert plus its audit row). */
const WRITE_CHUNK = 50;

type Slot =
  | { kind: "id"; index: number; id: string }
  | { kind: "inline"; index: number; type: EntityType; externalId: string | null; attributes: Attributes };

export interface PreparedEntities {
  slots: Slot[];
  /** Entities named by id, already checked to exist in the organization. */
  known: Map<string, JobEntity>;
  /** externalId → the stored entity's id and type, for inline entities that update an existing one. */
  existing: Map<string, { id: string; type: EntityType }>;
}

/** What is wrong with one entity of the request; detail paths are relative to the entity (`attributes.email`, `type`). */
export interface EntityProblem {
  index: number;
  kind: "attributes" | "duplicate" | "unknown_id" | "type_conflict";
  details: { path: string; message: string; code: string }[];
  /** duplicate: the index of the entity it repeats. */
  sameAs?: number;
}

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

function invalid(message: string, details: { path: string; message: string }[]): never {
  throw new ApiError("VALIDATION_ERROR", message, { details });
}

const asDetails = (details: unknown) => (Array.isArray(details) ? (details as { path: string; message: string; code: string }[]) : []);

/**
 * Checks every entity before anything is written, and collects what is wrong with each instead of stopping at the
 * first: attributes normalized per type, ids that exist in this organization, no entity listed twice, no externalId
 * naming an entity of the other type. `prepared` holds only the entities with no problem, keeping their indexes.
 */
export async function checkEntities(db: Db, orgId: string, inputs: JobEntityInput[]): Promise<{ prepared: PreparedEntities; problems: EntityProblem[] }> {
  const problems: EntityProblem[] = [];
  const normalized = inputs.flatMap((input, index): Slot[] => {
    if (typeof input === "string") return [{ kind: "id", index, id: input }];
    try {
      return [{ kind: "inline", index, type: input.type, externalId: input.externalId ?? null, attributes: normalizeAttributes(input.type, input.attributes) }];
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      problems.push({ index, kind: "attributes", details: asDetails(error.details) });
      return [];
    }
  });
  const seen = new Map<string, number>();
  const slots = normalized.filter((slot) => {
    const key = slot.kind === "id" ? `id:${slot.id}` : slot.externalId ? `ext:${slot.externalId}` : null;
    if (!key) return true;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, slot.index);
      return true;
    }
    const path = slot.kind === "id" ? "" : "externalId";
    problems.push({ index: slot.index, kind: "duplicate", sameAs: first, details: [{ path, message: `Same entity as entities.${first}`, code: "duplicate" }] });
    return false;
  });

  const ids = slots.flatMap((s) => (s.kind === "id" ? [s.id] : []));
  const known = new Map<string, JobEntity>();
  for (const chunk of chunks(ids, IN_LIST_LIMIT)) {
    const rows = await db
      .select({ id: entities.id, type: entities.type, externalId: entities.externalId })
      .from(entities)
      .where(and(eq(entities.orgId, orgId), inArray(entities.id, chunk)));
    for (const r of rows) known.set(r.id, { entityId: r.id, type: r.type, externalId: r.externalId });
  }

  const externalIds = slots.flatMap((s) => (s.kind === "inline" && s.externalId ? [s.externalId] : []));
  const existing = new Map<string, { id: string; type: EntityType }>();
  for (const chunk of chunks(externalIds, IN_LIST_LIMIT)) {
    const rows = await db
      .select({ id: entities.id, type: entities.type, externalId: entities.externalId })
      .from(entities)
      .where(and(eq(entities.orgId, orgId), inArray(entities.externalId, chunk)));
    for (const r of rows) if (r.externalId) existing.set(r.externalId, { id: r.id, type: r.type });
  }
  const good = slots.filter((slot) => {
    if (slot.kind === "id" && !known.has(slot.id)) {
      problems.push({ index: slot.index, kind: "unknown_id", details: [{ path: "", message: "No such entity in this organization", code: "not_found" }] });
      return false;
    }
    const stored = slot.kind === "inline" && slot.externalId ? existing.get(slot.externalId) : undefined;
    if (slot.kind === "inline" && stored && stored.type !== slot.type) {
      const message = `Entity '${slot.externalId}' is a ${stored.type}, not a ${slot.type}`;
      problems.push({ index: slot.index, kind: "type_conflict", details: [{ path: "type", message, code: "type_conflict" }] });
      return false;
    }
    return true;
  });
  problems.sort((a, b) => a.index - b.index);
  return { prepared: { slots: good, known, existing }, problems };
}

const under = (index: number, path: string) => (path ? `entities.${index}.${path}` : `entities.${index}`);

/**
 * For JSON bodies, all or nothing: the first kind of problem found refuses the whole request (attributes, then
 * entities listed twice, then unknown ids: 400; an externalId naming an entity of the other type: 409).
 * `positions[i]` is where input `i` sits in the request, for error paths (a caller may pass a part of its list).
 */
export async function prepareEntities(db: Db, orgId: string, inputs: JobEntityInput[], positions?: number[]): Promise<PreparedEntities> {
  const at = (i: number) => positions?.[i] ?? i;
  if (inputs.length === 0) invalid("A job needs at least one entity", [{ path: "entities", message: "Must not be empty" }]);
  if (inputs.length > MAX_JOB_ENTITIES) {
    invalid(`A job takes at most ${MAX_JOB_ENTITIES} entities; this one has ${inputs.length}`, [
      { path: "entities", message: `At most ${MAX_JOB_ENTITIES} entities per job` },
    ]);
  }
  const { prepared, problems } = await checkEntities(db, orgId, inputs);
  const of = (kind: EntityProblem["kind"]) => problems.filter((p) => p.kind === kind);
  const flat = (list: EntityProblem[]) => list.flatMap((p) => p.details.map((d) => ({ ...d, path: under(at(p.index), d.path) })));
  const attributes = of("attributes");
  if (attributes.length > 0) {
    const [first] = attributes;
    invalid(attributes.length === 1 && first ? `Invalid attributes for entity ${at(first.index)}` : `Invalid attributes for ${attributes.length} entities`, flat(attributes));
  }
  const [twice] = of("duplicate");
  if (twice) invalid("An entity is listed twice", [{ path: `entities.${at(twice.index)}`, message: `Same entity as entities.${at(twice.sameAs ?? twice.index)}` }]);
  const unknown = of("unknown_id");
  if (unknown.length > 0) invalid(`${unknown.length} entity id(s) not found in this organization`, flat(unknown));
  const [conflict] = of("type_conflict");
  if (conflict) {
    throw new ApiError("CONFLICT", conflict.details[0]?.message ?? "An entity has another type", { details: flat([conflict]) });
  }
  return prepared;
}

/**
 * Creates the inline entities, or replaces the attributes of those whose externalId exists (like PUT by
 * externalId), in batches with their audit rows and the entity write hooks' statements (imports, for auto-enrichment);
 * answers the job's entities in request order. With `env`, the hooks' after-commit work and the `entity.*` events run
 * before it returns (without it, auto-enrichment's cron sends what they would have).
 */
export async function writeEntities(db: Db, caller: Caller, prepared: PreparedEntities, jobId: string, env?: Env): Promise<JobEntity[]> {
  const resolved = new Map<number, JobEntity>();
  const inline = prepared.slots.filter((s): s is Extract<Slot, { kind: "inline" }> => s.kind === "inline");
  const now = nowIso();
  const writes = inline.map((slot): EntityWrite => {
    const stored = slot.externalId ? prepared.existing.get(slot.externalId) : undefined;
    return {
      orgId: caller.orgId,
      entityId: stored?.id ?? crypto.randomUUID(),
      entityType: slot.type,
      externalId: slot.externalId,
      change: stored ? "updated" : "created",
      origin: "import",
      changed: attributeEntries(slot.attributes).map(([name]) => name).sort(),
      actorKeyId: caller.keyId,
      at: now,
      jobId,
    };
  });
  await checkEntityWrites(db, writes);
  for (const group of chunks(inline.map((slot, i) => ({ slot, write: writes[i] as EntityWrite })), WRITE_CHUNK)) {
    const statements = group.flatMap(({ slot, write }) => {
      const upsert = upsertEntityStatement(
        db,
        { id: write.entityId, orgId: caller.orgId, type: slot.type, externalId: slot.externalId, attributes: slot.attributes, actorKeyId: caller.keyId },
        now,
      );
      const audit = auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: write.change === "updated" ? "entity.updated" : "entity.created",
        targetType: "entity",
        targetId: write.entityId,
        data: { type: slot.type, externalId: slot.externalId, jobId },
      });
      return [preparedStatement(db, upsert), preparedStatement(db, audit)];
    });
    if (statements.length === 0) continue;
    const pending = entityWriteStatements(db, group.map((g) => g.write));
    const results = await runStatements(db, [...statements, ...pending.statements]);
    group.forEach(({ slot }, i) => {
      const [row] = (results[i * 2]?.results ?? []) as { id: string }[];
      if (!row) throw new ApiError("CONFLICT", `Entity '${slot.externalId}' changed type while the job was being created`);
      resolved.set(slot.index, { entityId: row.id, type: slot.type, externalId: slot.externalId });
    });
    if (env) await pending.committed(env, results.slice(statements.length));
  }
  return prepared.slots.map((slot) => {
    const entity = slot.kind === "id" ? prepared.known.get(slot.id) : resolved.get(slot.index);
    if (!entity) throw new Error(`entity ${slot.index} was not resolved`);
    return entity;
  });
}
