import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse } from "../../../platform/http/openapi";
import { createFusionJob, fuseNow, presentRecord } from "../../llm";
import { authorize } from "../../tenancy";
import { asSent } from "./native-errors";
import { streamUrlOf } from "./job-events";
import { presentEnricherRecord } from "./present";
import { enricherErrors, entityEnricher } from "./product";
import { EnricherJobStartedSchema, EnricherRecordSchema, modelKey } from "./schemas";

const MergeBody = z
  .strictObject({
    record_ids: z.array(z.string().min(1).max(100)).min(2).max(10).openapi({ description: "2 to 10 successful enrichment records of the same schema" }),
    arbitration_model: modelKey.optional().openapi({ description: "Decides the conflicted fields: then the answer is a job to stream" }),
  })
  .openapi("EntityEnricherMerge", { example: { record_ids: ["6f1c2a0e-3b1d-4c5e-9f0a-1b2c3d4e5f60", "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"] } });

const Merged = z
  .object({
    record_id: z.string(),
    structured_output: z.record(z.string(), z.unknown()).nullable(),
    conflict_report: z.record(z.string(), z.unknown()).nullable(),
    record: EnricherRecordSchema,
  })
  .openapi("EntityEnricherMerged");

const MergeStarted = EnricherJobStartedSchema.extend({ arbitration_model: z.string() }).openapi("EntityEnricherMergeStarted");

const route = createRoute({
  method: "post",
  path: "/api/fusion/merge",
  tags: [entityEnricher.tag],
  summary: "Merge results from multiple models",
  description:
    "Field by field (POST /v1/llm/fusions). Without arbitration_model: fused now by rule, free, answered with the fusion record. With it: a job whose one call decides the conflicted fields; stream it at `/api/llm/stream/{job_id}` (fusion_started, fusion_completed with `result`).",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(MergeBody) },
  responses: { 200: jsonResponse(z.union([Merged, MergeStarted]), "The fused record, or the arbitration job"), ...enricherErrors[402] },
});

export const fusionRoutes = createRouter().openapi(route, async (c) => {
  const { record_ids, arbitration_model } = c.req.valid("json");
  if (arbitration_model) {
    const job = await asSent(createFusionJob(c.env, c.get("db"), c.get("settings"), c.get("caller"), { recordIds: record_ids, arbitrationModel: arbitration_model }));
    return c.json(
      {
        job_id: job.jobId,
        status: job.status,
        entity_count: job.entityCount,
        reserved_credits: job.reservedCredits,
        created_at: job.createdAt,
        stream_url: streamUrlOf(job.jobId),
        arbitration_model: job.arbitrationModel,
      },
      200,
    );
  }
  const record = presentEnricherRecord(presentRecord(await asSent(fuseNow(c.get("db"), c.get("caller"), record_ids))));
  return c.json({ record_id: record.record_id, structured_output: record.structured_output, conflict_report: (record.conflict_report ?? null) as Record<string, unknown> | null, record }, 200);
});
