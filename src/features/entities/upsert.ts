import { sql } from "drizzle-orm";
import { entities } from "../../db/schema/entities";
import { type Attributes, type EntityType, searchTextOf } from "../../domain/attributes";
import type { Db } from "../../platform/db/client";

export interface EntityUpsert {
  /** The new entity's id; ignored when the externalId exists. */
  id: string;
  orgId: string;
  type: EntityType;
  externalId: string | null;
  attributes: Attributes;
}

/**
 * Creates the entity, or replaces the attributes of the organization's entity with this externalId (like PUT by
 * externalId) when its type matches, for the caller's batch. Returns the entity's id, or no row when the stored
 * entity has another type.
 */
export function upsertEntityStatement(db: Db, entity: EntityUpsert, now: string) {
  const searchText = searchTextOf(entity.type, entity.externalId, entity.attributes);
  return db
    .insert(entities)
    .values({ ...entity, enriched: {}, searchText, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [entities.orgId, entities.externalId],
      set: { attributes: entity.attributes, searchText, updatedAt: now },
      setWhere: sql`${entities.type} = ${entity.type}`,
    })
    .returning({ id: entities.id });
}
