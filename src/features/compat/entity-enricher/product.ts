import { z } from "@hono/zod-openapi";
import { errorBody } from "../../../platform/http/openapi";
import { type DossierError, defineProduct } from "../product";

export const EnricherErrorSchema = z
  .object({
    detail: z.string().openapi({ description: "What went wrong; for a bad request, each failing field's path (as sent, snake_case) and why", example: "Request validation failed: entity_data: Required" }),
    code: z.string().openapi({ description: "Dossier's stable error code (VALIDATION_ERROR, UNAUTHORIZED, NOT_FOUND, …)", example: "VALIDATION_ERROR" }),
  })
  .openapi("EntityEnricherError");

const isDetail = (d: unknown): d is { path: string; message: string } =>
  d !== null && typeof d === "object" && typeof (d as { path?: unknown }).path === "string" && typeof (d as { message?: unknown }).message === "string";

/** The message, then each failing field as `path: why` (routes name paths as the client sent them: native-errors.ts). */
export function detailOf(error: DossierError): string {
  const fields = Array.isArray(error.details) ? error.details.filter(isDetail) : [];
  if (fields.length === 0) return error.message;
  return `${error.message}: ${fields.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ")}`;
}

export const entityEnricher = defineProduct({
  name: "entity-enricher",
  tag: "Compatibility: Entity Enricher",
  description:
    "Entity Enricher's REST API (`/api/...`), served by Dossier's LLM schema enrichment and job engine with `X-API-Key: <Dossier API key>` " +
    "(viewer keys read, member keys write). Bodies and answers are snake_case (`entity_data`, `schema_id`, `models`, `strategy`, " +
    "`arbitration_model`, `job_id`, `page_size`, `structured_output`); models are `provider::model` keys (GET /api/enrichment/options). " +
    "Progress is Server-Sent Events at `/api/llm/stream/{job_id}`: `data: {json}` frames whose JSON names the event in `type` and `event` " +
    "(model_started, expertise_completed, model_completed with result, record_id and cost, fusion_started, fusion_completed, " +
    "entity_started and entity_completed with entity_index, error, and a terminal completed). Errors are `{detail, code}`: `detail` " +
    "the message with each bad field's path, `code` Dossier's stable code.",
  errors: {
    name: "detail",
    schema: EnricherErrorSchema,
    render: (error) => ({ detail: detailOf(error), code: error.code }),
  },
});

const enricherError = (description: string) => errorBody(description, EnricherErrorSchema);

/** The failures its routes declare themselves (the rest `describeRoute` derives), in its `{detail}` shape. */
export const enricherErrors = {
  402: { 402: enricherError("Prepaid balance cannot cover the most this could charge (INSUFFICIENT_CREDITS)") },
  409: { 409: enricherError("The job is not in a state that allows this (CONFLICT)") },
  422: { 422: enricherError("Well-formed but cannot be processed, e.g. a source that cannot be fetched (UNPROCESSABLE)") },
} as const;
