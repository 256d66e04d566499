import { sql } from "drizzle-orm";
import { entities } from "../../db/schema/entities";
import { type Attributes, type EntityType, searchTextOf } from "../../domain/attributes";
import type { Db } from "../../platform/db/client";
import { sourcesAfterCustomerWrite } from "./fields/provenance";

export interface EntityUpsert {
  /** The new entity's id; ignored when the externalId exists. */
  id: string;
  orgId: string;
  type: EntityType;
  externalId: string | null;
  attributes: Attributes;
  /** The API key writing it: the attributes become the customer's (provenance). */
  actorKeyId: string | null;
}

/**
 * Creates the entity, or replaces the attributes of the organization's entity with this externalId (like PUT by
 * externalId) when its type matches, for the caller's batch. Returns the entity's id, or no row when the stored
 * entity has another type.
 */
export function upsertEntityStatement(db: Db, entity: EntityUpsert, now: string) {
  const { actorKeyId, ...row } = entity;
  const searchText = searchTextOf(entity.type, entity.externalId, entity.attributes);
  // Like PUT by externalId, the sent attributes replace the stored ones and are all the customer's.
  const attributeSources = sourcesAfterCustomerWrite({}, {}, entity.attributes, [], { at: now, keyId: actorKeyId });
  return db
    .insert(entities)
    .values({ ...row, enriched: {}, attributeSources, searchText, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [entities.orgId, entities.externalId],
      set: { attributes: entity.attributes, attributeSources, searchText, updatedAt: now },
      setWhere: sql`${entities.type} = ${entity.type}`,
    })
    .returning({ id: entities.id });
}
