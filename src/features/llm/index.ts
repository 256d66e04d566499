import type { FeatureManifest } from "../../platform/worker/feature";
import { entitySourceRoutes } from "./entity-sources/entity-sources.routes";
import { fusionRoutes } from "./fusions.routes";
import { optionsRoutes } from "./options.routes";
import { providerRoutes } from "./providers/providers.routes";
import { recordRoutes } from "./records/records.routes";
import { enrichmentRunRoutes } from "./runs/enrichments.routes";
import { LLM_EVENTS, llmTaskKind } from "./runs/llm-kind";
import { runLlmTasks } from "./runs/llm-tasks.queue";
import { schemaJobRoutes } from "./schemas/schema-jobs.routes";
import { schemaRoutes } from "./schemas/schemas.routes";

export const feature: FeatureManifest = {
  name: "llm",
  // The schema jobs' routes (`/schemas/generate`) before `/schemas/{id}`, so `generate` is never read as an id.
  routers: [optionsRoutes, providerRoutes, schemaJobRoutes, schemaRoutes, enrichmentRunRoutes, fusionRoutes, recordRoutes, entitySourceRoutes],
  providerCalls: { llm_task: runLlmTasks },
  taskKinds: [llmTaskKind],
  webhookEvents: LLM_EVENTS,
};
