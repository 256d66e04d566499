import type { FeatureManifest } from "../../platform/feature";
import { entityRoutes } from "./routes";

export { getEntity, normalizeAttributes } from "./entities";
export type { EntityRow } from "./entities";

export const feature: FeatureManifest = {
  name: "entities",
  routers: [entityRoutes],
};
