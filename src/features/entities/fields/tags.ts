import { z } from "zod";
import type { Db } from "../../../platform/db/client";
import type { SqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";

/** Lower-case letters, digits and `_ . : -`, starting with a letter or digit: `sanctions-review`, `kyc:pending`. */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
export const MAX_TAGS = 50;

export const TagSchema = z.string().regex(TAG_PATTERN, "A tag is 1-64 lower-case letters, digits, _ . : or -, starting with a letter or digit");

/** An entity's tags as a set: duplicates dropped, first occurrence kept. */
export const tagSet = (tags: readonly string[]) => [...new Set(tags)];

/**
 * Adds one tag to an entity, for the caller's D1 batch: a tag already there is left as it is (tags are a set, so a
 * repeated action adds nothing), and an entity that already holds MAX_TAGS tags gets no more. With `onlyIf`, it
 * lands only when that holds (the evaluation this batch recorded is new).
 */
export function addTagStatement(db: Db, orgId: string, entityId: string, tag: string, onlyIf?: SqlFragment): D1PreparedStatement {
  if (!TAG_PATTERN.test(tag)) throw new Error(`Not a tag: ${tag}`);
  const guard = onlyIf ? ` AND (${onlyIf.sql})` : "";
  return rawStatement(
    db,
    `UPDATE entities SET tags = json_insert(tags, '$[#]', ?), updated_at = ?
     WHERE id = ? AND org_id = ? AND json_array_length(tags) < ?
       AND NOT EXISTS (SELECT 1 FROM json_each(entities.tags) WHERE json_each.value = ?)${guard}`,
    tag,
    new Date().toISOString(),
    entityId,
    orgId,
    MAX_TAGS,
    tag,
    ...(onlyIf?.params ?? []),
  );
}
