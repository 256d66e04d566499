import { jobEventStream } from "../../jobs";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse } from "../../../platform/http/openapi";
import { decodeCursor, paged } from "../../../platform/http/pagination";
import { createEditJob, createGenerationJob, createSchema, listSchemas, presentSchema } from "../../llm";
import { authorize } from "../../tenancy";
import { asSent } from "./native-errors";
import { enricherJobEvents } from "./job-events";
import { presentEnricherSchema } from "./present";
import { enricherErrors, entityEnricher } from "./product";
import { EnricherSchemaSchema, eventStream, modelKey } from "./schemas";

const tags = [entityEnricher.tag];

const ListQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(200).default(100).openapi({ description: "Schemas per page (1-200, default 100)" }),
  cursor: z.string().optional().openapi({ description: "`next_cursor` of the previous page" }),
  q: z.string().max(200).optional().openapi({ description: "Part of the name" }),
});

const list = createRoute({
  method: "get",
  path: "/api/schema/saved",
  tags,
  summary: "List all saved schemas",
  description: "Newest first (GET /v1/llm/schemas).",
  middleware: [entityEnricher.served, authorize("viewer")] as const,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(z.object({ schemas: z.array(EnricherSchemaSchema), next_cursor: z.string().nullable() }).openapi("EntityEnricherSchemas"), "The schemas") },
});

const CreateBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    entity_type: z.string().trim().min(1).max(200).nullable().optional().openapi({ description: "What an entity should be (classification checks it)", example: "company" }),
    expertise_domains: z
      .record(z.string().max(40), z.strictObject({ name: z.string().min(1).max(200), description: z.string().max(2000).optional() }))
      .optional()
      .openapi({ description: "`{key: {name, description}}`: the groups of fields multi_expertise asks about in separate calls" }),
    json_schema: z.record(z.string(), z.unknown()).openapi({ description: "A JSON Schema (the subset POST /v1/llm/schemas documents); properties may carry `expertise`, `identifying`, `multilingual`" }),
  })
  .openapi("EntityEnricherCreateSchema", {
    example: {
      name: "Company profile",
      entity_type: "company",
      expertise_domains: { finance: { name: "Finance" } },
      json_schema: { type: "object", properties: { legal_name: { type: "string", identifying: true }, revenue_usd_m: { type: "number", expertise: "finance" } }, required: ["legal_name"] },
    },
  });

const create = createRoute({
  method: "post",
  path: "/api/schema/saved",
  tags,
  summary: "Create a new schema",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(CreateBody) },
  responses: { 200: jsonResponse(EnricherSchemaSchema, "Saved (version 1)") },
});

const samples = z.array(z.record(z.string(), z.unknown())).min(1).max(10);

const GenerateBody = z
  .strictObject({
    sample_data: z.union([z.record(z.string(), z.unknown()), samples]).optional().openapi({ description: "One sample record, or 1 to 10" }),
    samples: samples.optional().openapi({ description: "1 to 10 sample records (instead of sample_data)" }),
    instructions: z.string().min(1).max(4000).optional(),
    model: modelKey.optional(),
    save: z.boolean().optional().openapi({ description: "Save the result as a new schema (default true)" }),
    name: z.string().min(1).max(200).optional(),
  })
  .refine((b) => (b.sample_data === undefined) !== (b.samples === undefined), { path: ["sample_data"], message: "Send sample_data or samples" })
  .openapi("EntityEnricherGenerateSchema", { example: { sample_data: { name: "Moderna Inc", country: "US", founded: 2010 }, name: "Biotech companies" } });

const generate = createRoute({
  method: "post",
  path: "/api/schema/generate/stream",
  tags,
  summary: "Generate schema from sample data (SSE)",
  description:
    "A schema job (POST /v1/llm/schemas/generate) answered with its event stream: job_started (with job_id), schema_draft_inferred, model_started, model_completed (its `result` is the schema), schema_saved (`schema_id`), completed.",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(GenerateBody) },
  responses: { 200: eventStream("The job's events, ending with completed"), ...enricherErrors[402] },
});

const EditBody = z
  .strictObject({ prompt: z.string().min(1).max(4000).openapi({ example: "Add the number of employees, in the finance domain" }), model: modelKey.optional() })
  .openapi("EntityEnricherEditSchema");

const edit = createRoute({
  method: "post",
  path: "/api/schema/saved/{id}/prompt/stream",
  tags,
  summary: "AI-edit schema with natural language (SSE)",
  description:
    "A schema edit job (POST /v1/llm/schemas/{id}/edit) answered with its event stream: model_started, model_completed, schema_edit_applied (the new `version`), completed.",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60" }) }), body: jsonBody(EditBody) },
  responses: { 200: eventStream("The job's events, ending with completed"), ...enricherErrors[402] },
});

export const schemaRoutes = createRouter()
  .openapi(list, async (c) => {
    const { page_size, cursor, q } = c.req.valid("query");
    const page = await paged(c, cursor, (token) => listSchemas(c.get("db"), c.get("caller").orgId, { limit: page_size, q, cursor: decodeCursor(token) }));
    return c.json({ schemas: page.data.map(presentEnricherSchema) as z.infer<typeof EnricherSchemaSchema>[], next_cursor: page.nextCursor }, 200);
  })
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    const row = await asSent(
      createSchema(c.get("db"), c.get("caller"), {
        name: body.name,
        description: body.description ?? null,
        entityType: body.entity_type ?? null,
        expertiseDomains: body.expertise_domains ?? {},
        jsonSchema: body.json_schema,
      }),
    );
    return c.json(presentEnricherSchema(presentSchema(row)) as z.infer<typeof EnricherSchemaSchema>, 200);
  })
  .openapi(generate, async (c) => {
    const body = c.req.valid("json");
    const sampleList = body.samples ?? (Array.isArray(body.sample_data) ? body.sample_data : body.sample_data ? [body.sample_data] : []);
    const started = await asSent(
      createGenerationJob(c.env, c.get("db"), c.get("settings"), c.get("caller"), { samples: sampleList, instructions: body.instructions, model: body.model, save: body.save, name: body.name }),
      { samples: body.samples ? "samples" : "sample_data" },
    );
    return enricherJobEvents(c.get("db"), c.get("caller").orgId, started.jobId, await jobEventStream(c.env, started.jobId));
  })
  .openapi(edit, async (c) => {
    const body = c.req.valid("json");
    const started = await asSent(createEditJob(c.env, c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("param").id, { instruction: body.prompt, model: body.model }), { instruction: "prompt" });
    return enricherJobEvents(c.get("db"), c.get("caller").orgId, started.jobId, await jobEventStream(c.env, started.jobId));
  });
