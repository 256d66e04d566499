import type { FeatureManifest } from "../../platform/worker/feature";
import { entityRoutes } from "./routes";

export { getEntity, normalizeAttributes } from "./entities";
export { upsertEntityStatement } from "./upsert";
export type { EntityUpsert } from "./upsert";
export { enrichedFieldsStatement, enrichedPatch } from "./fields/merge";
export type { FieldFinding } from "./fields/merge";
export type { EntityRow } from "./entities";
export { MAX_TAGS, TAG_PATTERN, TagSchema, addTagStatement } from "./fields/tags";
export type { EntityEventData } from "./events";

export const feature: FeatureManifest = {
  name: "entities",
  routers: [entityRoutes],
};
