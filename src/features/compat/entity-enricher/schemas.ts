import { z } from "@hono/zod-openapi";

/** What its answers look like (the main fields; answers may carry more). */
export const EnricherSchemaSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    entity_type: z.string().nullable(),
    expertise_domains: z.record(z.string(), z.object({ name: z.string(), description: z.string().optional() })),
    json_schema: z.record(z.string(), z.unknown()),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("EntityEnricherSchema");

export const EnricherRecordSchema = z
  .object({
    id: z.string(),
    record_id: z.string(),
    type: z.string(),
    job_id: z.string().nullable(),
    entity_index: z.number().int().nullable(),
    entity_id: z.string().nullable(),
    schema_id: z.string().nullable(),
    schema_version: z.number().int().nullable(),
    model: z.string().nullable(),
    strategy: z.string().nullable(),
    success: z.boolean(),
    partial_success: z.boolean(),
    structured_output: z.record(z.string(), z.unknown()).nullable().openapi({ description: "What the model answered (the fused output for a fusion record)" }),
    usage: z.record(z.string(), z.unknown()),
    cost: z.number().openapi({ description: "USD" }),
    credits: z.number().int(),
    duration_ms: z.number().int(),
    error: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
  })
  .openapi("EntityEnricherRecord");

export const EnricherJobSchema = z
  .object({ job_id: z.string(), status: z.string(), kind: z.string(), counts: z.record(z.string(), z.number()), created_at: z.string() })
  .openapi("EntityEnricherJob");

/** A job just started: where to follow it. */
export const EnricherJobStartedSchema = z
  .object({
    job_id: z.string(),
    status: z.literal("processing"),
    entity_count: z.number().int(),
    reserved_credits: z.number().int(),
    created_at: z.string(),
    stream_url: z.string().openapi({ description: "GET it for the job's events", example: "/api/llm/stream/1b4e…" }),
  })
  .openapi("EntityEnricherJobStarted");

export const modelKey = z.string().min(3).max(250).openapi({ description: "`provider::model` (GET /api/enrichment/options)", example: "anthropic::claude-sonnet-4-5-20250514" });

export const eventStream = (description: string) => ({ description, content: { "text/event-stream": { schema: z.string() } } });
