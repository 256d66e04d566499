import type { Db } from "../../platform/db/client";
import { prebuiltInsert } from "../../platform/db/prebuilt-insert";
import { enrichments } from "../../db/schema/enrichment";
import type { EnrichedField } from "../../db/schema/entities";
import { auditPrepared } from "../tenancy";
import { chargeStatements } from "../billing";
import { type FieldFinding, enrichedFieldsStatement, enrichedPatch } from "../entities";
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
  /** More for the `entity.enriched` audit row (auto-enrichment: its trigger and job). */
  auditData?: Record<string, unknown>;
}

/** A repeated job task's record is ignored (unique task key), which is what makes records exactly-once. */
const insertEnrichment = prebuiltInsert(enrichments, "ON CONFLICT DO NOTHING");

/** A result's fields as entities' merge policy takes them. */
const findingsOf = (results: EnrichmentResult[]): FieldFinding[] =>
  results.flatMap((r) =>
    r.success && r.fields ? [{ source: r.integrationCode, confidence: r.result?.dataQuality.confidence ?? 0, at: r.createdAt, fields: r.fields }] : [],
  );

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
  const fields = enrichedFieldsStatement(db, input.orgId, input.entityId, enrichedPatch(input.entityEnriched, findingsOf(input.results)));
  if (fields) statements.push(fields);
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
          ...input.auditData,
          jobId: input.jobId ?? null,
          enrichments: ran.map((r) => ({ id: r.enrichmentId, code: r.integrationCode, status: r.status, credits: r.credits })),
        },
      }),
    );
  }
  return statements;
}
