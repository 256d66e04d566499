import { createRoute, z } from "@hono/zod-openapi";
import { LLM_RECORD_TYPES } from "../../../db/schema/llm";
import { commonErrors, createRouter, jsonBody, jsonResponse, notFoundError } from "../../../platform/http/openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../../platform/http/pagination";
import { authorize, idParam } from "../../tenancy";
import { deleteRecords, getRecord, listRecords, presentRecord } from "./record-store";

const tags = ["LLM records"];

const Usage = z.object({
  inputTokens: z.number().int().openapi({ description: "Uncached input tokens" }),
  cachedInputTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  outputTokens: z.number().int().openapi({ description: "Billed output, reasoning included" }),
  reasoningTokens: z.number().int(),
  estimated: z.boolean().openapi({ description: "The provider sent no usage; estimated from bytes / 4" }),
});

export const RecordSummarySchema = z
  .object({
    id: z.string(),
    type: z.enum(LLM_RECORD_TYPES),
    jobId: z.string().nullable(),
    entityIndex: z.number().int().nullable(),
    entityId: z.string().nullable(),
    schemaId: z.string().nullable(),
    schemaVersion: z.number().int().nullable(),
    model: z.string().nullable().openapi({ description: "`provider::model` (the arbiter for arbitration; null for a rule-based fusion)" }),
    strategy: z.string().nullable(),
    success: z.boolean(),
    partialSuccess: z.boolean(),
    output: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The structured output (the fused one for a fusion record)" }),
    usage: Usage,
    costUsd: z.number(),
    costMicroUsd: z.number().int(),
    costPicoUsd: z.string().openapi({ description: "The exact cost in 1e-12 USD" }),
    credits: z.number().int().openapi({ description: "Charged: the cost of its successful calls / CREDIT_VALUE_USD, rounded up once" }),
    durationMs: z.number().int(),
    error: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
  })
  .openapi("LlmRecordSummary");

const RecordSchema = RecordSummarySchema.extend({
  fields: z.array(z.unknown()).nullable().openapi({ description: "Fusion: per field its value, status (agreed|conflicted|arbitrated|no_data), confidence, method and the models and values behind it" }),
  conflictReport: z.record(z.string(), z.unknown()).nullable(),
  sourceRecordIds: z.array(z.string()).nullable(),
  details: z.record(z.string(), z.unknown()).nullable().openapi({ description: "By type: the classification, the expertise breakdown and citations, the arbitration's labels, the schema made" }),
  prompts: z.array(z.unknown()).openapi({ description: "Every exchange: what was sent (never credentials) and the raw answer, with its usage and validation errors" }),
  validationErrors: z.array(z.unknown()),
}).openapi("LlmRecord");

const ListQuery = paginationQuery.extend({
  type: z.enum(LLM_RECORD_TYPES).optional(),
  jobId: z.string().max(100).optional(),
  entityId: z.string().max(100).optional(),
  schemaId: z.string().max(100).optional(),
  model: z.string().max(250).optional(),
  success: z.enum(["true", "false"]).optional(),
  withTotal: z.enum(["true", "false"]).optional().openapi({ description: "Also answer `total`: how many records the filters select" }),
});

const list = createRoute({
  method: "get",
  path: "/v1/llm/records",
  tags,
  summary: "Records of model calls, fusions, arbitrations, classifications and schema jobs, newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(pageSchema(RecordSummarySchema).extend({ total: z.number().int().optional() }), "A page of records (without prompts)"),
    ...commonErrors,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/llm/records/{id}",
  tags,
  summary: "One record with its structured output, prompts and raw answers",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(RecordSchema, "The record"), ...commonErrors, ...notFoundError },
});

const batchDelete = createRoute({
  method: "post",
  path: "/v1/llm/records/batch-delete",
  tags,
  summary: "Delete up to 100 records",
  middleware: [authorize("member")] as const,
  request: {
    body: jsonBody(
      z
        .strictObject({ ids: z.array(z.string().min(1).max(100)).min(1).max(100, "At most 100 ids") })
        .openapi("DeleteLlmRecords", { example: { ids: ["6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60"] } }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ deleted: z.array(z.string()), notFound: z.array(z.string()) }).openapi("DeletedLlmRecords"), "Which ids were deleted and which this organization does not have"),
    ...commonErrors,
  },
});

export const recordRoutes = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor, success, withTotal, ...filters } = c.req.valid("query");
    const query = { ...filters, limit, withTotal: withTotal === "true", success: success === undefined ? undefined : success === "true" };
    return c.json(await paged(c, cursor, (token) => listRecords(c.get("db"), c.get("caller").orgId, { ...query, cursor: decodeCursor(token) })), 200);
  })
  .openapi(get, async (c) => c.json(presentRecord(await getRecord(c.get("db"), c.get("caller").orgId, c.req.valid("param").id)), 200))
  .openapi(batchDelete, async (c) => c.json(await deleteRecords(c.get("db"), c.get("caller"), c.req.valid("json").ids), 200));
