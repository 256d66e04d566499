import type { Db } from "../../platform/db/client";
import { prebuiltInsert } from "../../platform/db/prebuilt-insert";
import { rawStatement } from "../../platform/db/statements";
import { enrichments } from "../../db/schema/enrichment";
import type { EnrichedField } from "../../db/schema/tenancy";
import { auditPrepared } from "../tenancy";
import { chargeStatements } from "../billing";
import type { EnrichmentResult } from "./result";

export interface PersistInput {
  orgId: string;
  entityId: string;
  entityEnriched: Record<string, EnrichedField>;
  results: EnrichmentResult[];
  actorKeyId: string | null;
  jobId?: string | null;
  /** Jobs: one record per task however often it is delivered (unique key → INSERT OR IGNORE). */
  taskKeyOf?: (result: EnrichmentResult) => string;
}

/** A repeated job task's record is ignored (unique task key), which is what makes records exactly-once. */
const insertEnrichment = prebuiltInsert(enrichments, "ON CONFLICT DO NOTHING");

/** Fields from a new result replace what is stored when the same source refreshes them or confidence is no lower. */
export function enrichedPatch(current: Record<string, EnrichedField>, results: EnrichmentResult[]): Record<string, EnrichedField> {
  const patch: Record<string, EnrichedField> = {};
  for (const r of results) {
    if (!r.success || !r.fields) continue;
    const confidence = r.result?.dataQuality.confidence ?? 0;
    for (const [field, value] of Object.entries(r.fields)) {
      if (value === undefined || value === null) continue;
      const existing = patch[field] ?? current[field];
      if (existing && existing.source !== r.integrationCode && existing.confidence > confidence) continue;
      patch[field] = { value, source: r.integrationCode, confidence, enrichedAt: r.createdAt };
    }
  }
  return patch;
}

/**
 * Every statement that records an entity's results: the enrichment records, one charge per successful
 * record, the entity's enriched fields and an audit row. The caller runs them in one D1 batch, so the
 * records and their charges land together or not at all.
 */
export function persistStatements(db: Db, input: PersistInput): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (const r of input.results) {
    const values = {
      id: r.enrichmentId,
      orgId: input.orgId,
      entityId: input.entityId,
      integrationCode: r.integrationCode,
      status: r.status,
      cached: r.cached,
      globalEnrichmentId: r.globalEnrichmentId ?? null,
      executionTimeMs: r.executionTime,
      costCents: r.costCents,
      credits: r.credits,
      result: r.result ?? null,
      error: r.error ? { ...r.error } : null,
      jobId: input.jobId ?? null,
      taskKey: input.taskKeyOf?.(r) ?? null,
      createdAt: r.createdAt,
    };
    statements.push(insertEnrichment(db, values));
    if (r.success && r.credits > 0) {
      statements.push(
        ...chargeStatements(db, {
          orgId: input.orgId,
          enrichmentId: r.enrichmentId,
          credits: r.credits,
          costCents: r.costCents,
          integrationCode: r.integrationCode,
          jobId: input.jobId,
          reason: r.cached ? `${r.integrationCode} (cached)` : r.integrationCode,
        }),
      );
    }
  }
  const patch = enrichedPatch(input.entityEnriched, input.results);
  const fields = Object.entries(patch).filter(([field]) => /^[\w.-]{1,100}$/.test(field));
  if (fields.length > 0) {
    // json_set per field replaces each field whole; a merge patch would blend old and new object values. The
    // confidence rule is applied again against the row as it is now, not only against the snapshot the patch came
    // from: another run may have written a more confident value since (parallel tasks of one job entity).
    const params: unknown[] = [];
    const sets = fields.map(([field, value]) => {
      params.push(`$."${field}"`, JSON.stringify(value));
      const path = `?${params.length - 1}`;
      const next = `?${params.length}`;
      return `${path}, CASE WHEN json_extract(enriched, ${path}) IS NULL
          OR json_extract(enriched, ${path} || '.source') = json_extract(${next}, '$.source')
          OR ifnull(json_extract(enriched, ${path} || '.confidence'), 0) <= json_extract(${next}, '$.confidence')
        THEN json(${next}) ELSE json(json_extract(enriched, ${path})) END`;
    });
    params.push(new Date().toISOString(), input.entityId, input.orgId);
    const n = params.length;
    statements.push(
      rawStatement(db, `UPDATE entities SET enriched = json_set(enriched, ${sets.join(", ")}), updated_at = ?${n - 2} WHERE id = ?${n - 1} AND org_id = ?${n}`, ...params),
    );
  }
  const ran = input.results.filter((r) => r.status !== "skipped");
  if (ran.length > 0) {
    statements.push(
      auditPrepared(db, {
        orgId: input.orgId,
        actorKeyId: input.actorKeyId,
        action: "entity.enriched",
        targetType: "entity",
        targetId: input.entityId,
        data: {
          jobId: input.jobId ?? null,
          enrichments: ran.map((r) => ({ id: r.enrichmentId, code: r.integrationCode, status: r.status, credits: r.credits })),
        },
      }),
    );
  }
  return statements;
}
