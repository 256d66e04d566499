import { and, desc, eq } from "drizzle-orm";
import { type ConflictKind, autoEnrichmentConflicts } from "../../../db/schema/auto-enrichment";
import { entities } from "../../../db/schema/entities";
import type { EntityType } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { notFound } from "../../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../../platform/http/pagination";

export type ConflictRow = typeof autoEnrichmentConflicts.$inferSelect;

interface EntityBrief {
  externalId: string | null;
  attributes: Record<string, unknown>;
}

const displayName = (a: Record<string, unknown>) => {
  const name = a.fullName ?? a.name ?? a.email ?? a.domain;
  return typeof name === "string" ? name : null;
};

export function presentConflict(row: ConflictRow, entity?: EntityBrief | null) {
  return {
    id: row.id,
    entity: { id: row.entityId, type: row.entityType, externalId: entity?.externalId ?? null, name: entity ? displayName(entity.attributes) : null },
    entityId: row.entityId,
    entityType: row.entityType,
    field: row.field,
    enrichedField: row.enrichedField,
    kind: row.kind,
    status: row.status,
    current: {
      value: row.currentValue ?? null,
      source: row.currentSource?.source ?? null,
      integrationCode: row.currentSource?.integrationCode ?? null,
      confidence: row.currentSource?.confidence ?? null,
      setAt: row.currentSource?.setAt || null,
      setByKeyId: row.currentSource?.setByKeyId ?? null,
    },
    proposed: {
      value: row.proposedValue,
      source: row.proposedSource,
      confidence: row.proposedConfidence,
      enrichmentId: row.enrichmentId,
    },
    jobId: row.jobId,
    createdByJobId: row.createdByJobId,
    occurrences: row.occurrences,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    resolution: row.resolutionAction
      ? {
          action: row.resolutionAction,
          value: row.resolutionValue ?? null,
          note: row.resolutionNote,
          auto: row.resolutionAuto,
          resolvedAt: row.resolvedAt,
          resolvedByKeyId: row.resolvedByKeyId,
        }
      : null,
    createdAt: row.createdAt,
  };
}

const columns = { conflict: autoEnrichmentConflicts, externalId: entities.externalId, attributes: entities.attributes };

const briefOf = (r: { externalId: string | null; attributes: Record<string, unknown> | null }): EntityBrief | null =>
  r.attributes ? { externalId: r.externalId, attributes: r.attributes } : null;

export async function getConflictRow(db: Db, orgId: string, id: string): Promise<ConflictRow> {
  const [row] = await db
    .select()
    .from(autoEnrichmentConflicts)
    .where(and(eq(autoEnrichmentConflicts.orgId, orgId), eq(autoEnrichmentConflicts.id, id)))
    .limit(1);
  if (!row) throw notFound("Conflict");
  return row;
}

export async function getConflict(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select(columns)
    .from(autoEnrichmentConflicts)
    .leftJoin(entities, and(eq(entities.id, autoEnrichmentConflicts.entityId), eq(entities.orgId, autoEnrichmentConflicts.orgId)))
    .where(and(eq(autoEnrichmentConflicts.orgId, orgId), eq(autoEnrichmentConflicts.id, id)))
    .limit(1);
  if (!row) throw notFound("Conflict");
  return presentConflict(row.conflict, briefOf(row));
}

export interface ConflictListQuery {
  status?: "open" | "resolved";
  entityId?: string;
  entityType?: EntityType;
  field?: string;
  integrationCode?: string;
  kind?: ConflictKind;
  limit: number;
  cursor?: Cursor;
}

export async function listConflicts(db: Db, orgId: string, q: ConflictListQuery) {
  const t = autoEnrichmentConflicts;
  const rows = await db
    .select(columns)
    .from(t)
    .leftJoin(entities, and(eq(entities.id, t.entityId), eq(entities.orgId, t.orgId)))
    .where(
      and(
        eq(t.orgId, orgId),
        q.status ? eq(t.status, q.status) : undefined,
        q.entityId ? eq(t.entityId, q.entityId) : undefined,
        q.entityType ? eq(t.entityType, q.entityType) : undefined,
        q.field ? eq(t.field, q.field) : undefined,
        q.integrationCode ? eq(t.proposedSource, q.integrationCode) : undefined,
        q.kind ? eq(t.kind, q.kind) : undefined,
        afterCursor(t.createdAt, t.id, q.cursor),
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => ({ k: r.conflict.createdAt, id: r.conflict.id }));
  return { data: page.data.map((r) => presentConflict(r.conflict, briefOf(r))), nextCursor: page.nextCursor };
}
