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

// What the compatibility APIs (features/compat) translate to: the same operations the /v1 routes run.
export { SourceAuthBody } from "./entity-sources/entity-sources.routes";
export { fetchEntities } from "./entity-sources/fetch-entities";
export { createFusionJob, fuseNow } from "./fusions";
export { llmOptions } from "./options";
export { deleteRecords, getRecord, listRecords, presentRecord, recordsByIds } from "./records/record-store";
export type { RecordQuery, RecordRow } from "./records/record-store";
export { createEnrichmentRun } from "./runs/create-enrichment";
export type { EnrichmentRequest } from "./runs/create-enrichment";
export { createEditJob, createGenerationJob } from "./schemas/schema-jobs";
export type { GenerateRequest } from "./schemas/schema-jobs";
export { createSchema, listSchemas, presentSchema } from "./schemas/schema-store";
export type { SchemaContent } from "./schemas/schema-store";

export const feature: FeatureManifest = {
  name: "llm",
  // The schema jobs' routes (`/schemas/generate`) before `/schemas/{id}`, so `generate` is never read as an id.
  routers: [optionsRoutes, providerRoutes, schemaJobRoutes, schemaRoutes, enrichmentRunRoutes, fusionRoutes, recordRoutes, entitySourceRoutes],
  providerCalls: { llm_task: runLlmTasks },
  taskKinds: [llmTaskKind],
  webhookEvents: LLM_EVENTS,
};
