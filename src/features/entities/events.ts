import type { EntityType } from "../../domain/attributes";

/**
 * What `entity.created` and `entity.updated` carry (bus and webhooks): which entity, the names of what the write set
 * or changed, and where the write came from.
 */
export interface EntityEventData extends Record<string, unknown> {
  entityId: string;
  entityType: EntityType;
  externalId: string | null;
  /**
   * Attribute names (`custom.<key>` for custom ones, sorted), then `externalId` and `tags` when those changed. A new
   * entity names every attribute it has; a job's inline entity names every attribute it sent.
   */
  changed: string[];
  /** `api`: POST and PATCH /v1/entities. `import`: PUT by externalId, and a batch job's inline entities (JSON or CSV). */
  origin: "api" | "import";
  /** The batch job whose inline entities these are. */
  jobId?: string;
}

declare module "../../platform/events" {
  interface DomainEventMap {
    "entity.created": EntityEventData;
    "entity.updated": EntityEventData;
  }
}

/**
 * Published on the bus after every customer write of an entity commits (API, PUT by externalId, a job's inline
 * entities), by the write hooks (write-hooks.ts); never for enrichment's, rules' or a conflict resolution's own writes
 * (no loops), and not for an update that changed nothing.
 */
export const ENTITY_EVENTS = ["entity.created", "entity.updated"] as const;
