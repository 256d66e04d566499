import { and, desc, eq } from "drizzle-orm";
import { type AutoJobStatus, type AutoTrigger, autoEnrichmentJobs } from "../../../db/schema/auto-enrichment";
import type { EntityType } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { notFound } from "../../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../../platform/http/pagination";

export type JobRow = typeof autoEnrichmentJobs.$inferSelect;

export function presentJob(row: JobRow) {
  return {
    id: row.id,
    entityId: row.entityId,
    entityType: row.entityType,
    trigger: row.trigger,
    triggerFields: row.triggerFields,
    status: row.status,
    skipReason: row.skipReason,
    error: row.error ?? null,
    integrationCodes: row.integrationCodes ?? null,
    force: row.force,
    coalesced: row.coalesced,
    retryOf: row.retryOf,
    retriedBy: row.retriedBy,
    configVersion: row.configVersion,
    results: row.results,
    summary: {
      fieldsFilled: row.fieldsFilled,
      fieldsUpdated: row.fieldsUpdated,
      fieldsProposed: row.fieldsProposed,
      fieldsSkipped: row.fieldsSkipped,
      conflictsCreated: row.conflictsCreated,
    },
    creditsCharged: row.creditsCharged,
    costCents: row.costCents,
    attempts: row.attempts,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
    updatedAt: row.updatedAt,
  };
}

export async function getJobRow(db: Db, orgId: string, id: string): Promise<JobRow> {
  const [row] = await db
    .select()
    .from(autoEnrichmentJobs)
    .where(and(eq(autoEnrichmentJobs.orgId, orgId), eq(autoEnrichmentJobs.id, id)))
    .limit(1);
  if (!row) throw notFound("Auto-enrichment job");
  return row;
}

export interface JobListQuery {
  entityType?: EntityType;
  status?: AutoJobStatus;
  trigger?: AutoTrigger;
  entityId?: string;
  limit: number;
  cursor?: Cursor;
}

export async function listJobs(db: Db, orgId: string, q: JobListQuery) {
  const t = autoEnrichmentJobs;
  const rows = await db
    .select()
    .from(t)
    .where(
      and(
        eq(t.orgId, orgId),
        q.entityType ? eq(t.entityType, q.entityType) : undefined,
        q.status ? eq(t.status, q.status) : undefined,
        q.trigger ? eq(t.trigger, q.trigger) : undefined,
        q.entityId ? eq(t.entityId, q.entityId) : undefined,
        afterCursor(t.createdAt, t.id, q.cursor),
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentJob), nextCursor: page.nextCursor };
}
