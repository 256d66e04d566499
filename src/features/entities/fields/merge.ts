import type { EnrichedField } from "../../../db/schema/entities";
import type { Db } from "../../../platform/db/client";
import { rawStatement } from "../../../platform/db/statements";

/** What one source found for an entity: its fields, how confident it is, and when. */
export interface FieldFinding {
  source: string;
  confidence: number;
  at: string;
  fields: Record<string, unknown>;
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
      const existing = patch[field] ?? current[field];
      if (existing && existing.source !== f.source && existing.confidence > f.confidence) continue;
      patch[field] = { value, source: f.source, confidence: f.confidence, enrichedAt: f.at };
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
export function enrichedFieldsStatement(db: Db, orgId: string, entityId: string, patch: Record<string, EnrichedField>): D1PreparedStatement | null {
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
  return rawStatement(db, `UPDATE entities SET enriched = json_set(enriched, ${sets.join(", ")}), updated_at = ?${n - 2} WHERE id = ?${n - 1} AND org_id = ?${n}`, ...params);
}
