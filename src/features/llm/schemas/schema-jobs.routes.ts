import { jobEventStream } from "../../jobs";
import { createRoute, z } from "@hono/zod-openapi";
import { idempotent } from "../../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, insufficientCreditsError, jsonBody, notFoundError } from "../../../platform/http/openapi";
import { authorize, idParam } from "../../tenancy";
import { JobCreatedSchema, StreamQuery, jobResponses } from "../runs/job-stream";
import { createEditJob, createGenerationJob } from "./schema-jobs";

const tags = ["LLM schemas"];
const model = z.string().min(3).max(250).optional().openapi({ description: "`provider::model` (default: the organization's default model)", example: "openai::gpt-4o-mini" });

const GenerateBody = z
  .strictObject({
    samples: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(10)
      .openapi({ description: "1 to 10 sample records; the schema covers the union of their fields (a field missing or null in any is optional)" }),
    instructions: z.string().min(1).max(4000).optional().openapi({ description: "What else the schema should cover or how to group it" }),
    model,
    save: z.boolean().optional().openapi({ description: "Save the result as a new schema (default true)" }),
    name: z.string().min(1).max(200).optional(),
  })
  .refine((b) => JSON.stringify(b.samples).length <= 64 * 1024, { path: ["samples"], message: "At most 64 KiB of samples" })
  .openapi("GenerateLlmSchema", { example: { samples: [{ name: "Moderna Inc", country: "US", founded: 2010, website: "https://www.modernatx.com" }] } });

const EditBody = z
  .strictObject({ instruction: z.string().min(1).max(4000).openapi({ example: "Add the number of employees, in the finance domain" }), model })
  .openapi("EditLlmSchema");

const GenerationCreated = JobCreatedSchema.extend({ model: z.string(), schemaId: z.string().nullable().openapi({ description: "The id the schema gets if the job succeeds (with save)" }) }).openapi("LlmSchemaGenerationCreated");
const EditCreated = JobCreatedSchema.extend({ model: z.string(), schemaId: z.string(), fromVersion: z.number().int() }).openapi("LlmSchemaEditCreated");

const generate = createRoute({
  method: "post",
  path: "/v1/llm/schemas/generate",
  tags,
  summary: "Generate a schema from sample records (a job)",
  description:
    "The draft comes from the samples in code; one call annotates it (descriptions, identifying and multilingual fields, expertise domains). The result is validated: an invalid one fails the job with the reasons and stores nothing. Events: job_started, schema_draft_inferred, model_started, model_completed, schema_saved, completed.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { query: StreamQuery, headers: idempotencyHeader, body: jsonBody(GenerateBody) },
  responses: { ...jobResponses(GenerationCreated, "Started"), ...commonErrors, ...insufficientCreditsError },
});

const edit = createRoute({
  method: "post",
  path: "/v1/llm/schemas/{id}/edit",
  tags,
  summary: "Change a schema with an instruction in plain words (a job)",
  description:
    "One call lists operations (add, remove, update, rename a property; set or remove a domain; set the entity type, description or name), applied and validated by code into the schema's next version. Events: job_started, model_started, model_completed, schema_edit_applied, completed.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { params: idParam, query: StreamQuery, headers: idempotencyHeader, body: jsonBody(EditBody) },
  responses: { ...jobResponses(EditCreated, "Started"), ...commonErrors, ...notFoundError, ...insufficientCreditsError },
});

export const schemaJobRoutes = createRouter()
  .openapi(generate, async (c) => {
    const started = await createGenerationJob(c.env, c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("json"));
    if (c.req.valid("query").stream === "true") return jobEventStream(c.env, started.jobId);
    return c.json(started, 202);
  })
  .openapi(edit, async (c) => {
    const started = await createEditJob(c.env, c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("param").id, c.req.valid("json"));
    if (c.req.valid("query").stream === "true") return jobEventStream(c.env, started.jobId);
    return c.json(started, 202);
  });
