import type { FeatureManifest } from "../../platform/worker/feature";
import { ENRICHMENT_EVENTS } from "./enrich-entity";
import { enrichmentRoutes } from "./routes";

export type { CachedEnrichment } from "./cache";
export { eventsFor, executePlan, inputOf, maxChargeOf, planRun, summarize } from "./enrich-entity";
export type { EnrichRequest, PlannedRun } from "./enrich-entity";
export { enrichByRef, enrichRefDeps, loadRunOrRows } from "./enrich-ref";
export type { EnrichRefDeps } from "./enrich-ref";
export { persistStatements } from "./persist";
export { jobEntityEnrichments } from "./records";
export { publicResult } from "./result";
export type { EnrichmentResult } from "./result";
export { EnrichRequestSchema, EnrichResponseSchema, enrichmentRoutes } from "./routes";
export { describeInputs, lackedInputs, prefetchCache, runIntegration } from "./run-integration";
export type { CacheProbe } from "./run-integration";

export const feature: FeatureManifest = {
  name: "enrichment",
  routers: [enrichmentRoutes],
  webhookEvents: ENRICHMENT_EVENTS,
};
