import { createRoute, z } from "@hono/zod-openapi";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, insufficientCreditsError, jsonBody, jsonResponse, notFoundError } from "../../platform/http/openapi";
import { authorize } from "../tenancy";
import { MAX_FUSED_RECORDS, createFusionJob, fuseNow } from "./fusions";
import { presentRecord } from "./records/record-store";
import { RecordSummarySchema } from "./records/records.routes";
import { JobCreatedSchema } from "./runs/job-stream";

const FusionBody = z
  .strictObject({
    recordIds: z.array(z.string().min(1).max(100)).min(2).max(MAX_FUSED_RECORDS).openapi({ description: "2 to 10 successful enrichment records of the same schema" }),
    arbitrationModel: z.string().min(3).max(250).optional().openapi({ description: "Decides the conflicted fields (then the answer is a job)" }),
  })
  .openapi("CreateLlmFusion", {
    example: { recordIds: ["6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60", "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"], arbitrationModel: "anthropic::claude-haiku-4-5" },
  });

const FusedSchema = z
  .object({
    record: RecordSummarySchema.extend({
      fields: z.array(z.unknown()).nullable(),
      conflictReport: z.record(z.string(), z.unknown()).nullable(),
      sourceRecordIds: z.array(z.string()).nullable(),
      details: z.record(z.string(), z.unknown()).nullable(),
    }),
    conflictReport: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("LlmFusion");

const create = createRoute({
  method: "post",
  path: "/v1/llm/fusions",
  tags: ["LLM"],
  summary: "Fuse chosen records field by field",
  description:
    "Rule-based (no arbitrationModel): fused now, 200 with the fusion record and its conflict report, no credits. With arbitrationModel: 202 with a job whose one call decides the conflicted fields (fusion_started, conflicts_detected, arbitration_*, fusion_completed).",
  middleware: [authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(FusionBody) },
  responses: {
    200: jsonResponse(FusedSchema, "Fused (rule-based)"),
    202: jsonResponse(JobCreatedSchema.extend({ arbitrationModel: z.string() }).openapi("LlmFusionJobCreated"), "Started (with arbitration)"),
    ...commonErrors,
    ...notFoundError,
    ...insufficientCreditsError,
  },
});

export const fusionRoutes = createRouter().openapi(create, async (c) => {
  const body = c.req.valid("json");
  if (body.arbitrationModel) {
    return c.json(await createFusionJob(c.env, c.get("db"), c.get("settings"), c.get("caller"), { recordIds: body.recordIds, arbitrationModel: body.arbitrationModel }), 202);
  }
  const record = presentRecord(await fuseNow(c.get("db"), c.get("caller"), body.recordIds));
  return c.json({ record, conflictReport: record.conflictReport }, 200);
});
