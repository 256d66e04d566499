import type { EnrichedField } from "../../../db/schema/entities";
import type { Db } from "../../../platform/db/client";
import type { SqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";

/** What one source found for an entity: its fields, how confident it is, and when. */
export interface FieldFinding {
  source: string;
  /** The default confidence, and each field's own where `fieldConfidence` has it. */
  confidence: number;
  fieldConfidence?: Record<string, number>;
  at: string;
  fields: Record<string, unknown>;
  /** The source's record of the finding, kept as provenance on each field. */
  recordId?: string;
}

/**
 * The merge policy of enriched fields: a new value replaces what is stored when the same source refreshes it or its
 * confidence is no lower. `current` is the entity's fields as the caller read them.
 */
export function enrichedPatch(current: Record<string, EnrichedField>, findings: FieldFinding[]): Record<string, EnrichedField> {
  const patch: Record<string, EnrichedField> = {};
  for (const f of findings) {
    for (const [field, value] of Object.entries(f.fields)) {
      if (value === undefined || value === null) continue;
      const confidence = f.fieldConfidence?.[field] ?? f.confidence;
      const existing = patch[field] ?? current[field];
      if (existing && existing.source !== f.source && existing.confidence > confidence) continue;
      patch[field] = { value, source: f.source, confidence, enrichedAt: f.at, ...(f.recordId ? { recordId: f.recordId } : {}) };
    }
  }
  return patch;
}

/**
 * Writes a patch of enriched fields with their provenance, for the caller's D1 batch; null when there is nothing to
 * write. json_set per field replaces each field whole; a merge patch would blend old and new object values. The
 * confidence rule is applied again against the row as it is now, not only against the snapshot the patch came
 * from: another run may have written a more confident value since (parallel tasks of one job entity).
 */
export function enrichedFieldsStatement(
  db: Db,
  orgId: string,
  entityId: string,
  patch: Record<string, EnrichedField>,
  /** Lands only when this holds (the record the fields come from was written by this very batch). */
  onlyIf?: SqlFragment,
): D1PreparedStatement | null {
  const fields = Object.entries(patch).filter(([field]) => /^[\w.-]{1,100}$/.test(field));
  if (fields.length === 0) return null;
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
  params.push(new Date().toISOString(), entityId, orgId);
  const n = params.length;
  // The statement numbers its parameters (?1, ?2 …), so the guard's plain `?`s are numbered after the others.
  let next = n;
  const guard = onlyIf ? ` AND (${onlyIf.sql.replace(/\?/g, () => `?${++next}`)})` : "";
  params.push(...(onlyIf?.params ?? []));
  return rawStatement(
    db,
    `UPDATE entities SET enriched = json_set(enriched, ${sets.join(", ")}), updated_at = ?${n - 2} WHERE id = ?${n - 1} AND org_id = ?${n}${guard}`,
    ...params,
  );
}
