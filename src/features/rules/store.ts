import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { type RuleDefinition, type RuleEvent, type RuleStatus, ruleVersions, rules } from "../../db/schema/rules";
import type { EntityType } from "../../domain/attributes";
import { ApiError, notFound } from "../../platform/errors";
import type { Caller } from "../../platform/http/context";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { validationDetails } from "../../platform/http/validation-details";
import { isUniqueViolation } from "../../platform/db/unique-violation";
import { nowIso } from "../../platform/lib/time";
import { planRun } from "../enrichment";
import { auditStatement } from "../tenancy";
import { type CreateRuleInput, type PatchRuleInput, StoredRuleSchema, asCondition } from "./schemas";

export type RuleRow = typeof rules.$inferSelect;

export function definitionOf(row: RuleRow): RuleDefinition {
  return {
    name: row.name,
    description: row.description,
    status: row.status,
    priority: row.priority,
    events: row.events,
    entityTypes: row.entityTypes,
    integrationCodes: row.integrationCodes,
    conditions: row.conditions,
    score: row.score,
    actions: row.actions,
  };
}

export function presentRule(row: RuleRow) {
  return {
    id: row.id,
    ...definitionOf(row),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    createdByKeyId: row.createdByKeyId,
    updatedByKeyId: row.updatedByKeyId,
  };
}

/** Every integration code a rule names is one the organization's catalog knows (400 at the field that names it). */
async function checkCodes(db: Db, orgId: string, definition: RuleDefinition): Promise<void> {
  const lists: [string, string[]][] = [];
  if (definition.integrationCodes) lists.push(["integrationCodes", definition.integrationCodes]);
  definition.actions.forEach((action, i) => {
    if (action.type === "run_enrichment") lists.push([`actions.${i}.integrationCodes`, action.integrationCodes]);
  });
  const details = [];
  for (const [path, integrationCodes] of lists) {
    try {
      await planRun(db, orgId, { integrationCodes });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "VALIDATION_ERROR")) throw error;
      details.push({ path, message: error.message, code: "unknown_integration" });
    }
  }
  if (details.length > 0) throw new ApiError("VALIDATION_ERROR", "Unknown integration code", { details });
}

function versionRow(ruleId: string, orgId: string, version: number, definition: RuleDefinition, caller: Caller, at: string) {
  return { ruleId, orgId, version, definition, createdAt: at, createdByKeyId: caller.keyId };
}

export async function createRule(db: Db, caller: Caller, input: CreateRuleInput): Promise<RuleRow> {
  const definition: RuleDefinition = {
    name: input.name,
    description: input.description ?? null,
    status: input.status ?? "draft",
    priority: input.priority ?? 50,
    events: input.events,
    entityTypes: input.entityTypes ?? ["person", "company"],
    integrationCodes: input.integrationCodes ?? null,
    conditions: asCondition(input.conditions),
    score: input.score ?? 0,
    actions: input.actions ?? [],
  };
  await checkCodes(db, caller.orgId, definition);
  const now = nowIso();
  const row: RuleRow = { id: crypto.randomUUID(), orgId: caller.orgId, ...definition, version: 1, createdAt: now, updatedAt: now, createdByKeyId: caller.keyId, updatedByKeyId: caller.keyId };
  await db.batch([
    db.insert(rules).values(row),
    db.insert(ruleVersions).values(versionRow(row.id, row.orgId, 1, definition, caller, now)),
    auditStatement(db, { orgId: caller.orgId, actorKeyId: caller.keyId, action: "rule.created", targetType: "rule", targetId: row.id, data: { version: 1, name: row.name, status: row.status } }),
  ]);
  return row;
}

export async function getRule(db: Db, orgId: string, id: string): Promise<RuleRow> {
  const [row] = await db
    .select()
    .from(rules)
    .where(and(eq(rules.orgId, orgId), eq(rules.id, id)))
    .limit(1);
  if (!row) throw notFound("Rule");
  return row;
}

/**
 * A new version of the rule: its snapshot and the rule row land together, and only over the version the caller
 * read; a concurrent change makes this one a 409 (the version's primary key is taken). A change that changes
 * nothing makes no version.
 */
async function saveVersion(db: Db, caller: Caller, existing: RuleRow, definition: RuleDefinition, action: string): Promise<RuleRow> {
  if (JSON.stringify(definition) === JSON.stringify(definitionOf(existing))) return existing;
  const now = nowIso();
  const version = existing.version + 1;
  const row: RuleRow = { ...existing, ...definition, version, updatedAt: now, updatedByKeyId: caller.keyId };
  try {
    await db.batch([
      db.insert(ruleVersions).values(versionRow(existing.id, existing.orgId, version, definition, caller, now)),
      db
        .update(rules)
        .set({ ...definition, version, updatedAt: now, updatedByKeyId: caller.keyId })
        .where(and(eq(rules.orgId, caller.orgId), eq(rules.id, existing.id), eq(rules.version, existing.version))),
      auditStatement(db, { orgId: caller.orgId, actorKeyId: caller.keyId, action, targetType: "rule", targetId: existing.id, data: { version, status: definition.status } }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError("CONFLICT", "The rule was changed at the same time; read it again and retry", { details: { version: existing.version } });
    throw error;
  }
  return row;
}

export async function updateRule(db: Db, caller: Caller, existing: RuleRow, patch: PatchRuleInput): Promise<RuleRow> {
  const merged = { ...definitionOf(existing), ...patch };
  const parsed = StoredRuleSchema.safeParse(merged);
  if (!parsed.success) throw new ApiError("VALIDATION_ERROR", "Invalid rule", { details: validationDetails(parsed.error) });
  const definition: RuleDefinition = { ...parsed.data, conditions: asCondition(parsed.data.conditions) };
  await checkCodes(db, caller.orgId, definition);
  return saveVersion(db, caller, existing, definition, definition.status === "archived" && existing.status !== "archived" ? "rule.archived" : "rule.updated");
}

/** DELETE archives: evaluations and alerts keep naming the rule's versions. Archiving an archived rule changes nothing. */
export async function archiveRule(db: Db, caller: Caller, id: string): Promise<void> {
  const existing = await getRule(db, caller.orgId, id);
  await saveVersion(db, caller, existing, { ...definitionOf(existing), status: "archived" }, "rule.archived");
}

export interface RuleListQuery {
  status?: RuleStatus;
  event?: RuleEvent;
  entityType?: EntityType;
  limit: number;
  cursor?: Cursor;
}

export async function listRules(db: Db, orgId: string, query: RuleListQuery) {
  const rows = await db
    .select()
    .from(rules)
    .where(
      and(
        eq(rules.orgId, orgId),
        query.status ? eq(rules.status, query.status) : undefined,
        query.event ? sql`EXISTS (SELECT 1 FROM json_each(${rules.events}) WHERE value = ${query.event})` : undefined,
        query.entityType ? sql`EXISTS (SELECT 1 FROM json_each(${rules.entityTypes}) WHERE value = ${query.entityType})` : undefined,
        afterCursor(rules.createdAt, rules.id, query.cursor),
      ),
    )
    .orderBy(desc(rules.createdAt), desc(rules.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentRule), nextCursor: page.nextCursor };
}

export type RuleVersionRow = typeof ruleVersions.$inferSelect;

export const presentVersion = (row: RuleVersionRow) => ({
  ruleId: row.ruleId,
  version: row.version,
  definition: row.definition,
  createdAt: row.createdAt,
  createdByKeyId: row.createdByKeyId,
});

/** Newest first; the cursor is the last version shown. */
export async function listVersions(db: Db, orgId: string, ruleId: string, limit: number, cursor?: Cursor) {
  await getRule(db, orgId, ruleId);
  const before = cursor ? Number(cursor.k) : undefined;
  const rows = await db
    .select()
    .from(ruleVersions)
    .where(and(eq(ruleVersions.orgId, orgId), eq(ruleVersions.ruleId, ruleId), before === undefined ? undefined : lt(ruleVersions.version, before)))
    .orderBy(desc(ruleVersions.version))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: String(r.version), id: r.ruleId }));
  return { data: page.data.map(presentVersion), nextCursor: page.nextCursor };
}

export async function getVersion(db: Db, orgId: string, ruleId: string, version: number): Promise<RuleVersionRow> {
  const [row] = await db
    .select()
    .from(ruleVersions)
    .where(and(eq(ruleVersions.orgId, orgId), eq(ruleVersions.ruleId, ruleId), eq(ruleVersions.version, version)))
    .limit(1);
  if (!row) throw notFound("Rule version");
  return row;
}
