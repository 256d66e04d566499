import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import { type ExpertiseDomains, type SCHEMA_CHANGES, llmSchemaVersions, llmSchemas } from "../../../db/schema/llm";
import type { Db } from "../../../platform/db/client";
import { guardedInsert } from "../../../platform/db/prebuilt-insert";
import { type SqlFragment, sqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";
import { isUniqueViolation } from "../../../platform/db/unique-violation";
import { ApiError, notFound } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { type Cursor, afterCursor, pageOf } from "../../../platform/http/pagination";
import { nowIso } from "../../../platform/lib/time";
import type { JsonSchema } from "../../../providers/llm/types";
import { auditStatement, auditStatementIf } from "../../tenancy";
import { schemaLeaves } from "../schema-leaves";
import { type SchemaIssue, validateExpertiseDomains, validateUserSchema } from "../schema-subset";

export type SchemaRow = typeof llmSchemas.$inferSelect;
export type SchemaVersionRow = typeof llmSchemaVersions.$inferSelect;
export type SchemaChange = (typeof SCHEMA_CHANGES)[number];

/** What a schema version holds. */
export interface SchemaContent {
  name: string;
  description: string | null;
  entityType: string | null;
  expertiseDomains: ExpertiseDomains;
  jsonSchema: JsonSchema;
}

/** A serialized schema larger than this is refused: it goes into every prompt. */
export const MAX_SCHEMA_BYTES = 64 * 1024;

/** Everything that keeps a schema from being stored, each with its path (`jsonSchema.properties.x.type`). */
export function schemaIssues(content: Pick<SchemaContent, "jsonSchema" | "expertiseDomains">, prefix = ""): SchemaIssue[] {
  const at = (p: string) => (prefix ? `${prefix}.${p}` : p);
  const issues = [...validateExpertiseDomains(content.expertiseDomains, at("expertiseDomains")), ...validateUserSchema(content.jsonSchema, content.expertiseDomains, at("jsonSchema"))];
  const bytes = new TextEncoder().encode(JSON.stringify(content.jsonSchema)).byteLength;
  if (bytes > MAX_SCHEMA_BYTES) issues.push({ path: at("jsonSchema"), message: `At most ${MAX_SCHEMA_BYTES} bytes of JSON (this is ${bytes})`, code: "too_big" });
  return issues;
}

export function assertValidSchema(content: Pick<SchemaContent, "jsonSchema" | "expertiseDomains">, prefix = ""): void {
  const issues = schemaIssues(content, prefix);
  if (issues.length > 0) throw new ApiError("VALIDATION_ERROR", "The schema is outside what Dossier supports", { details: issues });
}

const versionValues = (schemaId: string, orgId: string, version: number, content: SchemaContent, change: SchemaChange, recordId: string | null, at: string) => ({
  schemaId,
  version,
  orgId,
  ...content,
  change,
  recordId,
  createdAt: at,
});

/** A new schema (version 1) and its audit row, for the caller's batch. */
export function createSchemaStatements(
  db: Db,
  input: { id: string; orgId: string; actorKeyId: string | null; content: SchemaContent; origin: "saved" | "inline"; change: SchemaChange; recordId?: string | null },
) {
  const at = nowIso();
  return [
    db.insert(llmSchemas).values({ id: input.id, orgId: input.orgId, ...input.content, version: 1, origin: input.origin, createdAt: at, updatedAt: at }),
    db.insert(llmSchemaVersions).values(versionValues(input.id, input.orgId, 1, input.content, input.change, input.recordId ?? null, at)),
    auditStatement(db, {
      orgId: input.orgId,
      actorKeyId: input.actorKeyId,
      action: "llm_schema.created",
      targetType: "llm_schema",
      targetId: input.id,
      data: { name: input.content.name, origin: input.origin, change: input.change, recordId: input.recordId ?? null },
    }),
  ] as const;
}

/**
 * Version `from + 1` of a schema, for the caller's batch: the version row (its primary key makes a concurrent change
 * of the same version fail the whole batch) and the schema row, moved only if it is still at `from`.
 */
export function nextVersionStatements(
  db: Db,
  input: { schemaId: string; orgId: string; actorKeyId: string | null; from: number; content: SchemaContent; change: SchemaChange; recordId?: string | null },
) {
  const at = nowIso();
  const version = input.from + 1;
  return [
    db.insert(llmSchemaVersions).values(versionValues(input.schemaId, input.orgId, version, input.content, input.change, input.recordId ?? null, at)),
    db
      .update(llmSchemas)
      .set({ ...input.content, version, updatedAt: at })
      .where(and(eq(llmSchemas.id, input.schemaId), eq(llmSchemas.orgId, input.orgId), eq(llmSchemas.version, input.from), isNull(llmSchemas.deletedAt))),
    auditStatement(db, {
      orgId: input.orgId,
      actorKeyId: input.actorKeyId,
      action: "llm_schema.updated",
      targetType: "llm_schema",
      targetId: input.schemaId,
      data: { version, change: input.change, recordId: input.recordId ?? null },
    }),
  ] as const;
}

const insertSchemaIf = guardedInsert(llmSchemas);
const insertVersionIf = guardedInsert(llmSchemaVersions);

/**
 * What a schema job (generation, edit) writes with its record, guarded by `onlyIf` (its record was written by this
 * batch): a repeated delivery writes nothing. An edit's version lands only if the schema is still at `from`.
 */
export function schemaJobStatements(
  db: Db,
  input: { schemaId: string; orgId: string; actorKeyId: string | null; content: SchemaContent; recordId: string; from: number | null },
  onlyIf: SqlFragment,
): D1PreparedStatement[] {
  const at = nowIso();
  if (input.from === null) {
    return [
      insertSchemaIf(db, { id: input.schemaId, orgId: input.orgId, ...input.content, version: 1, origin: "saved", createdAt: at, updatedAt: at }, onlyIf),
      insertVersionIf(db, versionValues(input.schemaId, input.orgId, 1, input.content, "generated", input.recordId, at), onlyIf),
      auditStatementIf(db, { orgId: input.orgId, actorKeyId: input.actorKeyId, action: "llm_schema.created", targetType: "llm_schema", targetId: input.schemaId, data: { name: input.content.name, change: "generated", recordId: input.recordId } }, onlyIf),
    ];
  }
  const version = input.from + 1;
  const stillAt = sqlFragment(
    `(${onlyIf.sql}) AND EXISTS (SELECT 1 FROM llm_schemas WHERE id = ? AND org_id = ? AND version = ? AND deleted_at IS NULL)`,
    ...onlyIf.params,
    input.schemaId,
    input.orgId,
    input.from,
  );
  const landed = sqlFragment("EXISTS (SELECT 1 FROM llm_schema_versions WHERE schema_id = ? AND version = ? AND record_id = ?)", input.schemaId, version, input.recordId);
  return [
    insertVersionIf(db, versionValues(input.schemaId, input.orgId, version, input.content, "edited", input.recordId, at), stillAt),
    rawStatement(
      db,
      `UPDATE llm_schemas SET name = ?, description = ?, entity_type = ?, expertise_domains = ?, json_schema = ?, version = ?, updated_at = ?
       WHERE id = ? AND org_id = ? AND version = ? AND ${landed.sql}`,
      input.content.name,
      input.content.description,
      input.content.entityType,
      JSON.stringify(input.content.expertiseDomains),
      JSON.stringify(input.content.jsonSchema),
      version,
      at,
      input.schemaId,
      input.orgId,
      input.from,
      ...landed.params,
    ),
    auditStatementIf(db, { orgId: input.orgId, actorKeyId: input.actorKeyId, action: "llm_schema.updated", targetType: "llm_schema", targetId: input.schemaId, data: { version, change: "edited", recordId: input.recordId } }, landed),
  ];
}

export async function createSchema(db: Db, caller: Caller, content: SchemaContent): Promise<SchemaRow> {
  assertValidSchema(content);
  const id = crypto.randomUUID();
  await db.batch(createSchemaStatements(db, { id, orgId: caller.orgId, actorKeyId: caller.keyId, content, origin: "saved", change: "created" }));
  return getSchema(db, caller.orgId, id);
}

/** A schema of the organization that is not deleted. */
export async function getSchema(db: Db, orgId: string, id: string): Promise<SchemaRow> {
  const [row] = await db
    .select()
    .from(llmSchemas)
    .where(and(eq(llmSchemas.orgId, orgId), eq(llmSchemas.id, id), isNull(llmSchemas.deletedAt)))
    .limit(1);
  if (!row) throw notFound("Schema");
  return row;
}

/** One version of a schema (the latest when `version` is absent), also of a deleted schema: runs and records keep theirs. */
export async function findSchemaVersion(db: Db, orgId: string, schemaId: string, version?: number): Promise<SchemaVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(llmSchemaVersions)
    .where(and(eq(llmSchemaVersions.orgId, orgId), eq(llmSchemaVersions.schemaId, schemaId), version === undefined ? undefined : eq(llmSchemaVersions.version, version)))
    .orderBy(desc(llmSchemaVersions.version))
    .limit(1);
  return row;
}

export const contentOf = (row: SchemaContent): SchemaContent => ({
  name: row.name,
  description: row.description,
  entityType: row.entityType,
  expertiseDomains: row.expertiseDomains,
  jsonSchema: row.jsonSchema,
});

export async function updateSchema(db: Db, caller: Caller, id: string, patch: Partial<SchemaContent>): Promise<SchemaRow> {
  const current = await getSchema(db, caller.orgId, id);
  const content = { ...contentOf(current), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as SchemaContent;
  assertValidSchema(content);
  try {
    await db.batch(nextVersionStatements(db, { schemaId: id, orgId: caller.orgId, actorKeyId: caller.keyId, from: current.version, content, change: "updated" }));
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError("CONFLICT", "The schema changed meanwhile; read it again and retry");
    throw error;
  }
  return getSchema(db, caller.orgId, id);
}

/** Deleted schemas leave the list; their versions stay, so their records can still be read and fused. */
export async function deleteSchema(db: Db, caller: Caller, id: string): Promise<void> {
  await getSchema(db, caller.orgId, id);
  const at = nowIso();
  await db.batch([
    db.update(llmSchemas).set({ deletedAt: at, updatedAt: at }).where(and(eq(llmSchemas.id, id), eq(llmSchemas.orgId, caller.orgId))),
    auditStatement(db, { orgId: caller.orgId, actorKeyId: caller.keyId, action: "llm_schema.deleted", targetType: "llm_schema", targetId: id }),
  ]);
}

export async function listSchemas(db: Db, orgId: string, query: { limit: number; cursor?: Cursor; q?: string }) {
  const rows = await db
    .select()
    .from(llmSchemas)
    .where(
      and(
        eq(llmSchemas.orgId, orgId),
        eq(llmSchemas.origin, "saved"),
        isNull(llmSchemas.deletedAt),
        query.q ? sql`instr(lower(${llmSchemas.name}), ${query.q.toLowerCase()}) > 0` : undefined,
        afterCursor(llmSchemas.createdAt, llmSchemas.id, query.cursor),
      ),
    )
    .orderBy(desc(llmSchemas.createdAt), desc(llmSchemas.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentSchema), nextCursor: page.nextCursor };
}

export async function listVersions(db: Db, orgId: string, id: string, query: { limit: number; cursor?: string }) {
  await getSchema(db, orgId, id);
  const before = query.cursor ? Number.parseInt(query.cursor, 10) : undefined;
  const rows = await db
    .select()
    .from(llmSchemaVersions)
    .where(and(eq(llmSchemaVersions.orgId, orgId), eq(llmSchemaVersions.schemaId, id), before === undefined ? undefined : lt(llmSchemaVersions.version, before)))
    .orderBy(desc(llmSchemaVersions.version))
    .limit(query.limit + 1);
  const data = rows.slice(0, query.limit);
  const last = data[data.length - 1];
  return { data: data.map(presentVersion), nextCursor: rows.length > query.limit && last ? String(last.version) : null };
}

function shapeOf(jsonSchema: JsonSchema) {
  const leaves = schemaLeaves(jsonSchema);
  return { leafFields: leaves.length, identifyingFields: leaves.filter((l) => l.identifying).map((l) => l.path) };
}

export function presentSchema(row: SchemaRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    entityType: row.entityType,
    expertiseDomains: row.expertiseDomains,
    jsonSchema: row.jsonSchema,
    version: row.version,
    ...shapeOf(row.jsonSchema),
    origin: row.origin,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function presentVersion(row: SchemaVersionRow) {
  return {
    schemaId: row.schemaId,
    version: row.version,
    name: row.name,
    description: row.description,
    entityType: row.entityType,
    expertiseDomains: row.expertiseDomains,
    jsonSchema: row.jsonSchema,
    change: row.change,
    recordId: row.recordId,
    createdAt: row.createdAt,
  };
}
