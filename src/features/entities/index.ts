import type { FeatureManifest } from "../../platform/worker/feature";
import { ENTITY_EVENTS } from "./events";
import { entityRoutes } from "./routes";

export { findEntitiesByRef, getEntity, normalizeAttributes } from "./entities";
export { upsertEntityStatement } from "./upsert";
export type { EntityUpsert } from "./upsert";
export { enrichedFieldsStatement, enrichedPatch } from "./fields/merge";
export type { FieldFinding } from "./fields/merge";
export type { EntityRow } from "./entities";
export { MAX_TAGS, TAG_PATTERN, TagSchema, addTagStatement } from "./fields/tags";
export type { EntityEventData } from "./events";
export { checkEntityWrites, entityWriteStatements, registerEntityWriteHooks } from "./write-hooks";
export type { EntityWrite, EntityWriteHook, EntityWritePart, PendingWrites } from "./write-hooks";
export {
  attributeEntries,
  attributePath,
  attributeValue,
  isAttributeName,
  isWritableAttributeName,
  normalizeAttributeValue,
} from "./fields/attribute-names";
export { attributeWriteStatement, attributesAfter, searchTextStatement } from "./fields/attribute-writes";
export type { AttributeWrite } from "./fields/attribute-writes";
export type { AttributeSources } from "./fields/provenance";

export const feature: FeatureManifest = {
  name: "entities",
  routers: [entityRoutes],
  webhookEvents: ENTITY_EVENTS,
};
