import type { FeatureManifest } from "../../platform/worker/feature";
import { AUTO_ENRICHMENT_EVENTS } from "./events";
import { consumeAutoEnrichment, consumeAutoEnrichmentDeadLetters } from "./pipeline/job.queue";
import { configRoutes } from "./routes/config.routes";
import { conflictRoutes } from "./routes/conflicts.routes";
import { jobRoutes } from "./routes/jobs.routes";
import { pipelineRoutes } from "./routes/pipeline.routes";
import { sweepAutoEnrichment } from "./sweep";
import { autoEnrichmentTrigger } from "./triggers";

export { AUTO_ENRICHMENT_EVENTS } from "./events";

export const feature: FeatureManifest = {
  name: "auto-enrichment",
  routers: [configRoutes, jobRoutes, conflictRoutes, pipelineRoutes],
  queues: { "auto-enrichment": consumeAutoEnrichment, "auto-enrichment-dlq": consumeAutoEnrichmentDeadLetters },
  entityWriteHooks: [autoEnrichmentTrigger],
  cron: [sweepAutoEnrichment],
  webhookEvents: AUTO_ENRICHMENT_EVENTS,
};
