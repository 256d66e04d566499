import { type DomainEvent, newEvent } from "../../platform/events";
import type { EntityRow } from "./entities";

/** What `entity.created` and `entity.updated` carry: which entity, and the names of what the write set or changed. */
export interface EntityEventData extends Record<string, unknown> {
  entityId: string;
  entityType: EntityRow["type"];
  externalId: string | null;
  /** Attribute names, plus `externalId` and `tags` when those changed. */
  changed: string[];
}

declare module "../../platform/events" {
  interface DomainEventMap {
    "entity.created": EntityEventData;
    "entity.updated": EntityEventData;
  }
}

/** Published after a customer's write of an entity (create, update, replace by externalId), not after enrichment. */
export function entityEvent(type: "entity.created" | "entity.updated", orgId: string, row: EntityRow, changed: string[]): DomainEvent {
  const data: EntityEventData = { entityId: row.id, entityType: row.type, externalId: row.externalId, changed };
  return newEvent(type, orgId, data);
}

/** What a write changed: the attributes whose value differs (added, removed or replaced), then externalId and tags. */
export function changedBy(before: EntityRow, after: EntityRow): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const names = [...new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)])];
  const changed = names.filter((name) => !same(before.attributes[name], after.attributes[name]));
  if (before.externalId !== after.externalId) changed.push("externalId");
  if (!same(before.tags, after.tags)) changed.push("tags");
  return changed;
}
