import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse } from "../../../platform/http/openapi";
import { type EnrichmentRequest, createEnrichmentRun } from "../../llm";
import { authorize } from "../../tenancy";
import { streamUrlOf } from "./job-events";
import { asSent } from "./native-errors";
import { enricherErrors, entityEnricher } from "./product";
import { EnricherJobStartedSchema, modelKey } from "./schemas";

const tags = [entityEnricher.tag];
const EntityData = z.record(z.string(), z.unknown()).openapi({ description: "The entity's fields, as you have them", example: { name: "Moderna Inc", country: "US" } });

/** What a single and a batch enrichment share (snake_case of `POST /v1/llm/enrichments`). */
const RunFields = {
  schema_id: z.string().min(1).max(100).openapi({ description: "A saved schema (GET /api/schema/saved)" }),
  schema_version: z.number().int().min(1).optional().openapi({ description: "A version of it (default the latest)" }),
  models: z.array(modelKey).min(1).max(5).optional().openapi({ description: "1 to 5 models; two or more are fused field by field (default: the organization's default model)" }),
  strategy: z.enum(["auto", "single_pass", "multi_expertise"]).optional().openapi({ description: "Default auto" }),
  arbitration_model: modelKey.optional().openapi({ description: "Decides the fields the models disagree on" }),
  classification_model: modelKey.optional().openapi({ description: "First checks each entity is the schema's entity type" }),
  on_classification_mismatch: z.enum(["pause", "skip", "proceed"]).optional().openapi({ description: "pause (default: POST /api/llm/continue/{job_id} decides), skip or proceed" }),
  classification_timeout_seconds: z.number().int().min(10).max(86_400).optional(),
  languages: z.array(z.string().min(2).max(3)).max(5).optional().openapi({ description: "ISO 639-1 codes for multilingual fields", example: ["en"] }),
  max_output_tokens: z.number().int().min(16).max(65_536).optional(),
};

type RunBody = { [K in keyof typeof RunFields]?: z.infer<(typeof RunFields)[K]> };

function runRequest(body: RunBody & { schema_id: string }, entities: EnrichmentRequest["entities"]): EnrichmentRequest {
  return {
    entities,
    schemaId: body.schema_id,
    schemaVersion: body.schema_version,
    models: body.models,
    strategy: body.strategy,
    arbitrationModel: body.arbitration_model,
    classificationModel: body.classification_model,
    onClassificationMismatch: body.on_classification_mismatch,
    classificationTimeoutSeconds: body.classification_timeout_seconds,
    languages: body.languages,
    maxOutputTokens: body.max_output_tokens,
  };
}

const SingleBody = z
  .strictObject({ entity_data: EntityData, ...RunFields })
  .openapi("EntityEnricherSingle", {
    example: { entity_data: { name: "Moderna Inc", country: "US" }, schema_id: "6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60", models: ["anthropic::claude-sonnet-4-5-20250514"], strategy: "multi_expertise" },
  });

const BatchBody = z
  .strictObject({ entities: z.array(EntityData).min(1).max(1000, "At most 1000 entities per job"), ...RunFields })
  .openapi("EntityEnricherBatch", {
    example: {
      entities: [
        { name: "Pfizer Inc", country: "US" },
        { name: "Roche", country: "CH" },
      ],
      schema_id: "6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60",
      models: ["anthropic::claude-sonnet-4-5-20250514", "openai::gpt-4o"],
      strategy: "multi_expertise",
      arbitration_model: "anthropic::claude-sonnet-4-5-20250514",
    },
  });

const Started = EnricherJobStartedSchema.extend({
  models: z.array(z.string()),
  strategy: z.enum(["single_pass", "multi_expertise"]),
  strategy_reason: z.string(),
  schema_id: z.string(),
  schema_version: z.number().int(),
}).openapi("EntityEnricherEnrichmentStarted");

const single = createRoute({
  method: "post",
  path: "/api/single/enrich/stream",
  tags,
  summary: "Start single entity enrichment (returns job_id)",
  description: "An LLM enrichment of one entity (POST /v1/llm/enrichments): follow it at `/api/llm/stream/{job_id}`, read its records at `/api/records?job_id=`.",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(SingleBody) },
  responses: { 200: jsonResponse(Started, "Started"), ...enricherErrors[402], ...enricherErrors[422] },
});

const batch = createRoute({
  method: "post",
  path: "/api/enrichment/batch/start",
  tags,
  summary: "Start batch enrichment for multiple entities",
  description: "1 to 1,000 entities in one job; the stream adds entity_started and entity_completed with each entity's `entity_index`.",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(BatchBody) },
  responses: { 200: jsonResponse(Started, "Started"), ...enricherErrors[402], ...enricherErrors[422] },
});

async function started(run: Promise<Awaited<ReturnType<typeof createEnrichmentRun>>>) {
  const r = await run;
  return {
    job_id: r.jobId,
    status: r.status,
    entity_count: r.entityCount,
    reserved_credits: r.reservedCredits,
    created_at: r.createdAt,
    stream_url: streamUrlOf(r.jobId),
    models: r.models,
    strategy: r.strategy,
    strategy_reason: r.strategyReason,
    schema_id: r.schemaId,
    schema_version: r.schemaVersion,
  };
}

export const enrichRoutes = createRouter()
  .openapi(single, async (c) => {
    const body = c.req.valid("json");
    const run = createEnrichmentRun(c.env, c.get("db"), c.get("settings"), c.get("caller"), runRequest(body, [body.entity_data]));
    return c.json(await started(asSent(run, { "entities.0": "entity_data" })), 200);
  })
  .openapi(batch, async (c) => {
    const body = c.req.valid("json");
    return c.json(await started(asSent(createEnrichmentRun(c.env, c.get("db"), c.get("settings"), c.get("caller"), runRequest(body, body.entities)))), 200);
  });
