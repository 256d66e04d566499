import { jobEventStream } from "../../jobs";
import { createRoute, z } from "@hono/zod-openapi";
import { idempotent } from "../../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, insufficientCreditsError, jsonBody, unprocessableError, conflictError } from "../../../platform/http/openapi";
import { authorize } from "../../tenancy";
import { ExpertiseDomainsSchema, UserJsonSchema } from "../schemas/schemas.routes";
import { createEnrichmentRun } from "./create-enrichment";
import { JobCreatedSchema, StreamQuery, jobResponses } from "./job-stream";

const modelKey = z.string().min(3).max(250).openapi({ description: "`provider::model` (see GET /v1/llm/options)", example: "openai::gpt-4o-mini" });

const EnrichmentsBody = z
  .strictObject({
    entities: z
      .array(z.union([z.string().min(1).max(100).openapi({ description: "An entity id" }), z.record(z.string(), z.unknown())]))
      .min(1)
      .max(1000, "At most 1000 entities per job")
      .openapi({
        description:
          "Entity ids, `{type, externalId?, attributes}` (the organization's entities: upserted by externalId, like jobs), or any other object (a free-form input kept in the job only, ≤ 32 KiB)",
        example: [{ name: "Moderna Inc", country: "US" }],
      }),
    schemaId: z.string().min(1).max(100).optional(),
    schema: z
      .strictObject({
        name: z.string().min(1).max(200).optional(),
        description: z.string().max(2000).nullable().optional(),
        entityType: z.string().min(1).max(200).nullable().optional(),
        expertiseDomains: ExpertiseDomainsSchema.optional(),
        jsonSchema: UserJsonSchema,
      })
      .optional()
      .openapi({ description: "A schema sent with the request instead of schemaId (kept hidden, so its records can be read and fused)" }),
    schemaVersion: z.number().int().min(1).optional().openapi({ description: "With schemaId: this version (default the latest)" }),
    models: z.array(modelKey).min(1).max(5).optional().openapi({ description: "1 to 5 models; two or more are fused field by field (default: the organization's default model)" }),
    strategy: z.enum(["auto", "single_pass", "multi_expertise"]).optional(),
    arbitrationModel: modelKey.optional().openapi({ description: "Decides only the fields the models disagree on" }),
    classificationModel: modelKey.optional().openapi({ description: "First checks each entity is the schema's entityType" }),
    onClassificationMismatch: z.enum(["pause", "skip", "proceed"]).optional().openapi({ description: "On a mismatch: pause the job for a decision (default), skip the entity, or go on" }),
    classificationTimeoutSeconds: z.number().int().min(10).max(86_400).optional().openapi({ description: "How long a paused entity waits for a decision before it is skipped (default 300)" }),
    languages: z.array(z.string().min(2).max(3)).max(5).optional().openapi({ description: "ISO 639-1 codes for multilingual fields; the first is primary", example: ["en"] }),
    grounding: z
      .strictObject({ integrationCodes: z.array(z.string().min(1).max(100)).min(1).max(20) })
      .optional()
      .openapi({ description: "Integrations run first (cache, credits); their results and the entity's stored fields go into the prompts, and fields they support cite them" }),
    saveToEntity: z.boolean().optional().openapi({ description: "Write the fused (or single model's) fields to the entity's enriched fields (source llm, the record id, confidence)" }),
    webhookId: z.string().min(1).max(100).optional(),
    maxOutputTokens: z.number().int().min(16).max(65_536).optional().openapi({ description: "Per call (default 4096, at most the model's)" }),
    taskTimeoutMs: z.number().int().min(1_000).max(600_000).optional().openapi({ description: "Each task's time from when it starts (default 120000)" }),
  })
  .openapi("CreateLlmEnrichment", {
    example: {
      entities: [{ name: "Moderna Inc", country: "US" }],
      schema: { entityType: "company", jsonSchema: { type: "object", properties: { legalName: { type: "string", identifying: true }, founded: { type: "integer" } } } },
    },
  });

const EnrichmentCreatedSchema = JobCreatedSchema.extend({
  models: z.array(z.string()),
  strategy: z.enum(["single_pass", "multi_expertise"]),
  strategyReason: z.string(),
  schemaId: z.string(),
  schemaVersion: z.number().int(),
}).openapi("LlmEnrichmentCreated");

const create = createRoute({
  method: "post",
  path: "/v1/llm/enrichments",
  tags: ["LLM"],
  summary: "Enrich 1 to 1,000 entities with one or several LLMs, fused field by field",
  description:
    "A job: follow it at /v1/jobs/{jobId}/events (strategy_selected, classification_*, model_started, expertise_completed, model_completed, fusion_started, conflicts_detected, arbitration_*, fusion_completed, entity_completed/skipped, completed) and read its records at /v1/llm/records?jobId=. Prepaid organizations hold the most it could cost (input bound + maxOutputTokens per call at the models' prices) and pay what it did cost.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { query: StreamQuery, headers: idempotencyHeader, body: jsonBody(EnrichmentsBody) },
  responses: { ...jobResponses(EnrichmentCreatedSchema, "Started"), ...commonErrors, ...insufficientCreditsError, ...unprocessableError, ...conflictError },
});

export const enrichmentRunRoutes = createRouter().openapi(create, async (c) => {
  const started = await createEnrichmentRun(c.env, c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("json"));
  if (c.req.valid("query").stream === "true") return jobEventStream(c.env, started.jobId);
  return c.json(started, 202);
});
