import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { enrichments } from "../../db/schema/enrichment";
import { notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";

export function presentEnrichment(row: typeof enrichments.$inferSelect) {
  return {
    id: row.id,
    entityId: row.entityId,
    integrationCode: row.integrationCode,
    status: row.status,
    success: row.status === "succeeded",
    cached: row.cached,
    globalEnrichmentId: row.globalEnrichmentId,
    executionTime: row.executionTimeMs,
    costCents: row.costCents,
    credits: row.credits,
    result: row.result,
    error: row.error,
    jobId: row.jobId,
    createdAt: row.createdAt,
  };
}

export async function getEnrichment(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(enrichments)
    .where(and(eq(enrichments.orgId, orgId), eq(enrichments.id, id)))
    .limit(1);
  if (!row) throw notFound("Enrichment");
  return presentEnrichment(row);
}

/** What a job's runs found for one entity: its succeeded records, oldest first (an LLM job's grounding). */
export async function jobEntityEnrichments(db: Db, orgId: string, jobId: string, entityId: string) {
  const rows = await db
    .select()
    .from(enrichments)
    .where(and(eq(enrichments.orgId, orgId), eq(enrichments.jobId, jobId), eq(enrichments.entityId, entityId), eq(enrichments.status, "succeeded")))
    .orderBy(enrichments.createdAt);
  return rows.map(presentEnrichment);
}

export async function listEntityEnrichments(db: Db, orgId: string, entityId: string, limit: number, cursor?: Cursor) {
  const rows = await db
    .select()
    .from(enrichments)
    .where(
      and(eq(enrichments.orgId, orgId), eq(enrichments.entityId, entityId), afterCursor(enrichments.createdAt, enrichments.id, cursor)),
    )
    .orderBy(desc(enrichments.createdAt), desc(enrichments.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentEnrichment), nextCursor: page.nextCursor };
}
