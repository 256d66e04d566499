declare module "../../platform/events" {
  interface DomainEventMap {
    "entity.created": Record<string, unknown>;
    "entity.updated": Record<string, unknown>;
  }
}

/**
 * Published on the bus after every customer write of an entity (API, PUT by externalId, a job's inline entities), with
 * `{entityId, type, externalId, changedFields, origin, jobId?}`; never for enrichment's own writes (no loops).
 */
export const ENTITY_EVENTS = ["entity.created", "entity.updated"] as const;
