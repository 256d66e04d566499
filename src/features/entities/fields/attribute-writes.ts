import type { AttributeSource } from "../../../db/schema/entities";
import { type Attributes, type EntityType, searchTextOf } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import type { SqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";
import { attributePath, customKeyOf, sourcePath } from "./attribute-names";

/**
 * One attribute written field by field, not as a whole object: promotions of enriched values (auto-enrichment, LLM runs)
 * and conflict resolutions. Each is a compare-and-set against the row as it is when the batch runs, so a write decided on
 * an older read never lands over a value someone changed since.
 */
export interface AttributeWrite {
  orgId: string;
  entityId: string;
  /** The attribute (`title`, `custom.segment`), already validated and normalized for the entity type. */
  name: string;
  value: unknown;
  source: AttributeSource;
  /**
   * What the attribute must still hold: `undefined` = empty; `replaces` = this value, and only when enrichment wrote it
   * (a customer's or a resolution's value is never replaced automatically).
   */
  expect: { value: unknown; replaces: "enrichment" | "any" };
  /** A condition of the caller's (its job still being the one that runs, its conflict being resolved by this batch). */
  onlyIf?: SqlFragment;
}

/** `UPDATE … RETURNING id`: a row back means the write landed. */
export function attributeWriteStatement(db: Db, write: AttributeWrite): D1PreparedStatement {
  const path = attributePath(write.name);
  const source = sourcePath(write.name);
  const custom = customKeyOf(write.name) !== null;
  const setAttributes = custom
    ? `json_set(attributes, '$."custom"', json(coalesce(json_extract(attributes, '$."custom"'), '{}')), ?1, json(?2))`
    : "json_set(attributes, ?1, json(?2))";
  const expected =
    write.expect.value === undefined ? "json_extract(attributes, ?1) IS NULL" : "json_extract(attributes, ?1) IS json_extract(?5, '$')";
  const fromEnrichment = write.expect.replaces === "enrichment" && write.expect.value !== undefined ? " AND json_extract(attribute_sources, ?3 || '.source') = 'enrichment'" : "";
  // Numbered parameters up to ?8 come first; the caller's fragment uses plain `?`, which SQLite numbers after the largest so far.
  const guard = write.onlyIf ? ` AND (${write.onlyIf.sql})` : "";
  return rawStatement(
    db,
    `UPDATE entities SET attributes = ${setAttributes}, attribute_sources = json_set(attribute_sources, ?3, json(?4)), updated_at = ?6
     WHERE id = ?7 AND org_id = ?8 AND ${expected}${fromEnrichment}${guard}
     RETURNING id`,
    path,
    JSON.stringify(write.value),
    source,
    JSON.stringify(write.source),
    JSON.stringify(write.expect.value ?? null),
    write.source.setAt,
    write.entityId,
    write.orgId,
    ...(write.onlyIf?.params ?? []),
  );
}

/** The attributes after these writes, keys in the order SQLite's json_set leaves them (replaced in place, new ones last). */
export function attributesAfter(attributes: Attributes, writes: Pick<AttributeWrite, "name" | "value">[]): Attributes {
  let next: Attributes = { ...attributes };
  for (const w of writes) {
    const key = customKeyOf(w.name);
    next = key === null ? { ...next, [w.name]: w.value } : { ...next, custom: { ...((next.custom as Record<string, unknown>) ?? {}), [key]: w.value } };
  }
  return next;
}

/**
 * Refreshes the search text for attributes written field by field, computed as every write computes it, but only while
 * the row still holds exactly `attributes` (a concurrent write computed its own).
 */
export function searchTextStatement(
  db: Db,
  entity: { orgId: string; id: string; type: EntityType; externalId: string | null },
  attributes: Attributes,
  onlyIf?: SqlFragment,
): D1PreparedStatement {
  const guard = onlyIf ? ` AND (${onlyIf.sql})` : "";
  return rawStatement(
    db,
    `UPDATE entities SET search_text = ? WHERE id = ? AND org_id = ? AND attributes = json(?)${guard}`,
    searchTextOf(entity.type, entity.externalId, attributes),
    entity.id,
    entity.orgId,
    JSON.stringify(attributes),
    ...(onlyIf?.params ?? []),
  );
}
