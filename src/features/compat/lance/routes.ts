import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../platform/http/context";
import { ApiError } from "../../../platform/errors";
import { UNKNOWN_ID_STATUS, createRouter, insufficientCreditsError, jsonResponse, notFoundError, conflictError } from "../../../platform/http/openapi";
import { CONTACT_FIELDS, type ContactDeps, currentContactEnrichment, publishSettled, startContactEnrichment } from "../../contact-enrichment";
import { authorize } from "../../tenancy";
import { presentLance } from "./present";
import { lance } from "./product";

const path = "/api/v1/operations/enrichment/{personId}";

const LanceEnrichmentSchema = z
  .object({
    id: z.string().openapi({ description: "The enrichment record (a Dossier contact enrichment id)" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    entityId: z.string().openapi({ description: "The person (personId)" }),
    entityType: z.literal("person"),
    field: z.enum(CONTACT_FIELDS),
    status: z.enum(["pending", "finished", "failed", "timeout", "cancelled"]).openapi({
      description: "A search that found nothing is `finished` with `dataFound: false`; one pending past the maximum age reads as `timeout`.",
    }),
    error: z.string().nullable().openapi({ description: "Why it failed; null when finished or pending" }),
    dataFound: z.boolean().nullable().openapi({ description: "true: found and added to the person; false: nothing found; null: pending or not finished" }),
    createdBy: z.string().openapi({ description: "The Dossier API key that triggered it" }),
    orgId: z.string(),
    globalEnrichmentId: z.string().nullable().openapi({ description: "Set when the data came from the global cache" }),
    creditTransactionId: z.string().nullable().openapi({ description: "The ledger row of its one charge, once finished with data" }),
  })
  .openapi("LanceEnrichment");

const params = z.object({
  personId: z.uuid().openapi({ param: { name: "personId", in: "path" }, description: "The person's id (UUID)", example: "550e8400-e29b-41d4-a716-446655440000" }),
});
const query = z.object({
  field: z.enum(CONTACT_FIELDS).openapi({ param: { name: "field", in: "query" }, description: "What to find: emails or phones" }),
});

/** Lance has no 422: a person Dossier cannot search (a company, nothing to search with) is an invalid personId. */
function asLanceError(error: unknown, unknownPerson: "400" | "404"): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === "UNPROCESSABLE") {
    return new ApiError("VALIDATION_ERROR", error.message, { details: [{ path: "personId", message: error.message, code: "not_enrichable", reasons: error.details }] });
  }
  if (error.code === "NOT_FOUND" && unknownPerson === "400") {
    return new ApiError("VALIDATION_ERROR", "personId names no person in this organization", {
      details: [{ path: "personId", message: "No such person", code: "not_found" }],
    });
  }
  return error;
}

const start = createRoute({
  method: "post",
  path,
  tags: [lance.tag],
  summary: "Trigger enrichment (Lance)",
  description:
    "Starts finding the person's emails or phones, answered at once as `pending`. If a pending or finished enrichment (one that found " +
    "nothing included) exists for the person and field, answers it without charging; after failed, timeout or cancelled a new one starts. " +
    "Prepaid organizations hold the price until it settles (402 when they cannot). An id that names no person is a 400.",
  middleware: [lance.served, authorize("member")] as const,
  request: { params, query },
  [UNKNOWN_ID_STATUS]: 400,
  responses: { 200: jsonResponse(LanceEnrichmentSchema, "The new pending enrichment, or the existing one"), ...insufficientCreditsError, ...conflictError },
});

const read = createRoute({
  method: "get",
  path,
  tags: [lance.tag],
  summary: "Get enrichment status (Lance)",
  description: "The person's newest enrichment for the field; 404 when there is none (or no such person). A pending one past the maximum age is stored and answered as `timeout`.",
  middleware: [lance.served, authorize("viewer")] as const,
  request: { params, query },
  responses: { 200: jsonResponse(LanceEnrichmentSchema, "The newest enrichment"), ...notFoundError },
});

function depsOf(c: Context<AppEnv>): ContactDeps {
  return { env: c.env, db: c.get("db"), announce: (row) => c.executionCtx.waitUntil(publishSettled(c.env, [row])) };
}

export const lanceRoutes = createRouter()
  .openapi(start, async (c) => {
    const { personId } = c.req.valid("param");
    const { field } = c.req.valid("query");
    const { record } = await startContactEnrichment(depsOf(c), c.get("caller"), personId, field, { reuseFoundNothing: true }).catch((e: unknown) => {
      throw asLanceError(e, "400");
    });
    return c.json(presentLance(record), 200);
  })
  .openapi(read, async (c) => {
    const record = await currentContactEnrichment(depsOf(c), c.get("caller").orgId, c.req.valid("param").personId, c.req.valid("query").field).catch((e: unknown) => {
      throw asLanceError(e, "404");
    });
    return c.json(presentLance(record), 200);
  });
