import { and, asc, eq, gt } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { customIntegrations } from "../../db/schema/catalog";
import { integrationSettings } from "../../db/schema/catalog";
import type { Settings } from "../../platform/env";
import { ApiError, notFound } from "../../platform/errors";
import { type Cursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { type CustomIntegrationInput, checkDefinition, secretNamesOf } from "../../providers/custom/definition";
import { auditStatement } from "../tenancy";
import { isUniqueViolation } from "../../platform/db/unique-violation";

export type CustomIntegrationRow = typeof customIntegrations.$inferSelect;

export function presentCustomIntegration(row: CustomIntegrationRow) {
  const d = row.definition;
  return {
    id: row.id,
    code: row.code,
    type: "http_json" as const,
    name: row.name,
    description: row.description,
    entityTypes: row.entityTypes,
    inputs: row.inputs,
    method: d.method,
    urlTemplate: d.urlTemplate,
    headers: d.headers,
    bodyTemplate: d.bodyTemplate,
    mapping: d.mapping,
    noData: d.noData,
    confidence: d.confidence,
    secretNames: secretNamesOf(d),
    credits: row.credits,
    costCents: row.costCents,
    timeoutMs: row.timeoutMs,
    cacheTtlSeconds: row.cacheTtlSeconds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The input that recreates a stored integration, so a PATCH can be merged and checked as a whole. */
function inputOf(row: CustomIntegrationRow): CustomIntegrationInput {
  const d = row.definition;
  return {
    code: row.code,
    name: row.name,
    description: row.description,
    entityTypes: row.entityTypes,
    inputs: row.inputs,
    method: d.method,
    urlTemplate: d.urlTemplate,
    headers: d.headers,
    bodyTemplate: d.bodyTemplate,
    mapping: d.mapping,
    noData: d.noData,
    confidence: d.confidence,
    credits: row.credits,
    costCents: row.costCents,
    timeoutMs: row.timeoutMs,
    cacheTtlSeconds: row.cacheTtlSeconds,
  };
}

/** Audit data describes the definition without echoing templates (they may hold private URLs). */
const auditData = (row: CustomIntegrationRow) => ({
  code: row.code,
  method: row.definition.method,
  host: new URL(row.definition.urlTemplate.replace(/\{\{.*?\}\}/g, "x")).host,
  fields: Object.keys(row.definition.mapping),
  secretNames: secretNamesOf(row.definition),
});

const codeTaken = (code: string) => new ApiError("CONFLICT", `A custom integration with code '${code}' already exists`, { details: { code } });

export async function findCustomIntegration(db: Db, orgId: string, code: string): Promise<CustomIntegrationRow | undefined> {
  const [row] = await db
    .select()
    .from(customIntegrations)
    .where(and(eq(customIntegrations.orgId, orgId), eq(customIntegrations.code, code)))
    .limit(1);
  return row;
}

export async function getCustomIntegration(db: Db, orgId: string, code: string): Promise<CustomIntegrationRow> {
  const row = await findCustomIntegration(db, orgId, code);
  if (!row) throw notFound("Custom integration");
  return row;
}

/** Ordered by code, which is unique within the organization. */
export async function listCustomIntegrations(db: Db, orgId: string, opts: { limit: number; cursor?: Cursor }) {
  const rows = await db
    .select()
    .from(customIntegrations)
    .where(and(eq(customIntegrations.orgId, orgId), opts.cursor ? gt(customIntegrations.code, opts.cursor.k) : undefined))
    .orderBy(asc(customIntegrations.code))
    .limit(opts.limit + 1);
  const page = pageOf(rows, opts.limit, (r) => ({ k: r.code, id: r.id }));
  return { data: page.data.map(presentCustomIntegration), nextCursor: page.nextCursor };
}

export async function createCustomIntegration(db: Db, settings: Settings, caller: Caller, input: CustomIntegrationInput) {
  const { definition, inputs } = checkDefinition(input, { allowLoopback: settings.ALLOW_LOOPBACK_FETCH });
  const now = nowIso();
  const row: CustomIntegrationRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    code: input.code,
    name: input.name,
    description: input.description ?? null,
    entityTypes: input.entityTypes,
    inputs,
    definition,
    credits: input.credits,
    costCents: input.costCents,
    timeoutMs: input.timeoutMs,
    cacheTtlSeconds: input.cacheTtlSeconds,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(customIntegrations).values(row),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "custom_integration.created",
        targetType: "integration",
        targetId: row.code,
        data: auditData(row),
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw codeTaken(row.code);
    throw error;
  }
  return row;
}

export async function updateCustomIntegration(
  db: Db,
  settings: Settings,
  caller: Caller,
  existing: CustomIntegrationRow,
  patch: Partial<Omit<CustomIntegrationInput, "code">>,
) {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const merged: CustomIntegrationInput = { ...inputOf(existing), ...defined };
  // Inputs derived from the old templates must be derived again from the new ones.
  if (patch.inputs === undefined && (patch.urlTemplate !== undefined || patch.headers !== undefined || patch.bodyTemplate !== undefined)) {
    merged.inputs = undefined;
  }
  const { definition, inputs } = checkDefinition(merged, { allowLoopback: settings.ALLOW_LOOPBACK_FETCH });
  const updated: CustomIntegrationRow = {
    ...existing,
    name: merged.name,
    description: merged.description ?? null,
    entityTypes: merged.entityTypes,
    inputs,
    definition,
    credits: merged.credits,
    costCents: merged.costCents,
    timeoutMs: merged.timeoutMs,
    cacheTtlSeconds: merged.cacheTtlSeconds,
    updatedAt: nowIso(),
  };
  await db.batch([
    db
      .update(customIntegrations)
      .set({
        name: updated.name,
        description: updated.description,
        entityTypes: updated.entityTypes,
        inputs: updated.inputs,
        definition: updated.definition,
        credits: updated.credits,
        costCents: updated.costCents,
        timeoutMs: updated.timeoutMs,
        cacheTtlSeconds: updated.cacheTtlSeconds,
        updatedAt: updated.updatedAt,
      })
      .where(and(eq(customIntegrations.orgId, caller.orgId), eq(customIntegrations.id, existing.id))),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "custom_integration.updated",
      targetType: "integration",
      targetId: existing.code,
      data: { ...auditData(updated), changed: Object.keys(defined) },
    }),
  ]);
  return updated;
}

/** Its settings and encrypted secrets go with it: a later integration reusing the code starts clean. */
export async function deleteCustomIntegration(db: Db, caller: Caller, existing: CustomIntegrationRow): Promise<void> {
  await db.batch([
    db.delete(customIntegrations).where(and(eq(customIntegrations.orgId, caller.orgId), eq(customIntegrations.id, existing.id))),
    db.delete(integrationSettings).where(and(eq(integrationSettings.orgId, caller.orgId), eq(integrationSettings.code, existing.code))),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "custom_integration.deleted",
      targetType: "integration",
      targetId: existing.code,
      data: { code: existing.code },
    }),
  ]);
}
