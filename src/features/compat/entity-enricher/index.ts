import type { CompatLayer } from "../product";
import { enrichRoutes } from "./enrich.routes";
import { fetchRoutes } from "./fetch.routes";
import { fusionRoutes } from "./fusion.routes";
import { jobRoutes } from "./jobs.routes";
import { optionsRoutes } from "./options.routes";
import { entityEnricher } from "./product";
import { recordRoutes } from "./records.routes";
import { schemaRoutes } from "./schemas.routes";

export const entityEnricherLayer: CompatLayer = {
  product: entityEnricher,
  routers: [optionsRoutes, enrichRoutes, fetchRoutes, jobRoutes, schemaRoutes, recordRoutes, fusionRoutes],
};
