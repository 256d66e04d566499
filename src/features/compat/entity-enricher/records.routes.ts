import { createRoute, z } from "@hono/zod-openapi";
import { LLM_RECORD_TYPES } from "../../../db/schema/llm";
import { createRouter, jsonBody, jsonResponse } from "../../../platform/http/openapi";
import { deleteRecords, getRecord, listRecords, presentRecord } from "../../llm";
import { authorize } from "../../tenancy";
import { presentEnricherRecord } from "./present";
import { entityEnricher } from "./product";
import { EnricherRecordSchema } from "./schemas";

const tags = [entityEnricher.tag];

const ListQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1).openapi({ description: "Page number, from 1" }),
  page_size: z.coerce.number().int().min(1).max(200).default(20).openapi({ description: "Records per page (1-200, default 20)" }),
  type: z.enum(LLM_RECORD_TYPES).optional(),
  job_id: z.string().max(100).optional(),
  entity_id: z.string().max(100).optional(),
  schema_id: z.string().max(100).optional(),
  model: z.string().max(250).optional(),
  success: z.enum(["true", "false"]).optional(),
});

const list = createRoute({
  method: "get",
  path: "/api/records",
  tags,
  summary: "List records with pagination and filtering",
  description: "Newest first, by page number (GET /v1/llm/records with a count): `records` without prompts, and `total` for the filters.",
  middleware: [entityEnricher.served, authorize("viewer")] as const,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z
        .object({ records: z.array(EnricherRecordSchema), total: z.number().int(), page: z.number().int(), page_size: z.number().int(), total_pages: z.number().int() })
        .openapi("EntityEnricherRecords"),
      "A page of records",
    ),
  },
});

const get = createRoute({
  method: "get",
  path: "/api/records/{id}",
  tags,
  summary: "Get full record detail with structured output",
  description: "The record with `structured_output`, and its fields (fusions), conflict report, details, prompts and raw answers, validation errors.",
  middleware: [entityEnricher.served, authorize("viewer")] as const,
  request: { params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60" }) }) },
  responses: { 200: jsonResponse(EnricherRecordSchema, "The record") },
});

const DeleteBody = z
  .strictObject({ record_ids: z.array(z.string().min(1).max(100)).min(1).max(100, "At most 100 records") })
  .openapi("EntityEnricherDeleteRecords", { example: { record_ids: ["6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60"] } });

const batchDelete = createRoute({
  method: "post",
  path: "/api/records/batch-delete",
  tags,
  summary: "Delete multiple records (max 100)",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(DeleteBody) },
  responses: {
    200: jsonResponse(
      z.object({ deleted: z.array(z.string()), deleted_count: z.number().int(), not_found: z.array(z.string()) }).openapi("EntityEnricherDeleted"),
      "Which were deleted, and which this organization does not have",
    ),
  },
});

export const recordRoutes = createRouter()
  .openapi(list, async (c) => {
    const { page, page_size, success, job_id, entity_id, schema_id, ...filters } = c.req.valid("query");
    const found = await listRecords(c.get("db"), c.get("caller").orgId, {
      ...filters,
      jobId: job_id,
      entityId: entity_id,
      schemaId: schema_id,
      success: success === undefined ? undefined : success === "true",
      limit: page_size,
      offset: (page - 1) * page_size,
      withTotal: true,
    });
    const total = found.total ?? 0;
    const records = found.data.map(presentEnricherRecord);
    return c.json({ records, total, page, page_size, total_pages: Math.ceil(total / page_size) }, 200);
  })
  .openapi(get, async (c) => c.json(presentEnricherRecord(presentRecord(await getRecord(c.get("db"), c.get("caller").orgId, c.req.valid("param").id))), 200))
  .openapi(batchDelete, async (c) => {
    const { deleted, notFound } = await deleteRecords(c.get("db"), c.get("caller"), c.req.valid("json").record_ids);
    return c.json({ deleted, deleted_count: deleted.length, not_found: notFound }, 200);
  });
