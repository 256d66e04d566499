import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../platform/http/context";
import type { EnrichRequest } from "./enrich-entity";
import { enrichByRef, enrichRefDeps, loadRunOrRows } from "./enrich-ref";
import type { EnrichmentResult } from "./result";
import { type EntityRef, type RunRows, decodeRunReads, runReads } from "./plan";
import { freeFormObject } from "../../platform/lib/json-limits";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { AuthPrefetcher, authorize } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import {
  commonErrors,
  createRouter,
  idempotencyHeader,
  insufficientCreditsError,
  jsonBody,
  jsonResponse,
  notFoundError,
  unprocessableError,
} from "../../platform/http/openapi";
import { getEntity } from "../entities";
import { getEnrichment, listEntityEnrichments } from "./records";
import { preflightEnrichment, streamEnrichment } from "./stream";
import { idParam } from "../tenancy";
import { STRATEGIES } from "../../domain/vocabulary";

export const EnrichRequestSchema = z
  .strictObject({
    integrationCodes: z.array(z.string().min(1).max(100)).max(50).optional().openapi({ example: ["phone_normalize"] }),
    enrichmentGroupRefs: z.array(z.string().min(1).max(100)).max(20).optional().openapi({ example: ["kyc"] }),
    params: freeFormObject()
      .optional()
      .openapi({ description: "Passed to every integration; `fields` (string[]) says what a waterfall must fill", example: { fields: ["phoneE164"] } }),
    forceRefresh: z.boolean().optional().openapi({ description: "Skip the cache read and rewrite the entry" }),
    strategy: z.enum(STRATEGIES).optional().openapi({ description: "all (default, parallel) or waterfall (in order, stops when filled)" }),
  })
  .openapi("EnrichRequest");

const ResultErrorSchema = z.object({
  code: z.string().openapi({ example: "HTTP_503" }),
  message: z.string(),
  category: z.enum(["timeout", "configuration", "validation", "provider_failure", "rate_limit", "auth_error", "no_data", "system"]),
  retryable: z.boolean(),
  statusCode: z.number().int().optional(),
});

export const EnrichmentResultSchema = z
  .object({
    success: z.boolean(),
    status: z.enum(["succeeded", "failed", "skipped"]),
    enrichmentId: z.string(),
    integrationCode: z.string(),
    integrationName: z.string(),
    cached: z.boolean(),
    globalEnrichmentId: z.string().optional(),
    executionTime: z.number().openapi({ description: "Milliseconds" }),
    costCents: z.number(),
    credits: z.number(),
    attempts: z.number().int(),
    createdAt: z.string(),
    result: z
      .object({
        fieldsEnriched: z.array(z.string()),
        dataQuality: z.object({ completeness: z.number(), confidence: z.number() }),
        summary: z.string(),
        enrichmentData: z.record(z.string(), z.unknown()),
      })
      .optional(),
    error: ResultErrorSchema.optional(),
  })
  .openapi("EnrichmentResult");

/** The contract and the EnrichmentResult type the code builds are one shape: this stops compiling when they drift. */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const resultMatchesContract: SameShape<z.infer<typeof EnrichmentResultSchema>, Omit<EnrichmentResult, "fields">> = true;

export const EnrichResponseSchema = z
  .object({
    success: z.boolean(),
    entityId: z.string(),
    results: z.array(EnrichmentResultSchema),
    totalCostCents: z.number(),
    totalCredits: z.number(),
    totalExecutionTime: z.number(),
  })
  .openapi("EnrichResponse");

const EnrichmentRecordSchema = z
  .object({
    id: z.string(),
    entityId: z.string(),
    integrationCode: z.string(),
    status: z.enum(["succeeded", "failed", "skipped"]),
    success: z.boolean(),
    cached: z.boolean(),
    globalEnrichmentId: z.string().nullable(),
    executionTime: z.number(),
    costCents: z.number(),
    credits: z.number(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.record(z.string(), z.unknown()).nullable(),
    jobId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("EnrichmentRecord");

const enrichResponses = {
  200: jsonResponse(EnrichResponseSchema, "Executed; individual results may have failed (partial success)"),
  ...commonErrors,
  ...notFoundError,
  ...insufficientCreditsError,
  ...unprocessableError,
};

/** The entity, catalog, settings and billing mode are read in the key lookup's round trip. */
const runRowsOf = (ref: (c: Context<AppEnv>) => EntityRef) =>
  new AuthPrefetcher<RunRows>((c) => ({ reads: (db, org) => runReads(db, org, ref(c)), decode: decodeRunReads }));
const byIdRows = runRowsOf((c) => ({ id: c.req.param("id") ?? "" }));
const byExternalIdRows = runRowsOf((c) => ({ externalId: c.req.param("externalId") ?? "" }));

const enrichById = createRoute({
  method: "post",
  path: "/v1/entities/{id}/enrichments",
  tags: ["Enrichment"],
  summary: "Run integrations on an entity",
  description: "With `?stream=true` the answer is Server-Sent Events: entity_started, enrichment_completed per integration, entity_completed, completed.",
  middleware: [authorize("member", byIdRows), idempotent()] as const,
  request: {
    params: idParam,
    query: z.object({ stream: z.enum(["true", "false"]).optional().openapi({ description: "Stream progress as Server-Sent Events" }) }),
    headers: idempotencyHeader,
    body: jsonBody(EnrichRequestSchema),
  },
  responses: {
    ...enrichResponses,
    200: {
      description: "Executed; individual results may have failed (partial success). `?stream=true`: an event stream",
      content: { "application/json": { schema: EnrichResponseSchema }, "text/event-stream": { schema: z.string() } },
    },
  },
});

const enrichByExternalId = createRoute({
  method: "post",
  path: "/v1/entities/by-external-id/{externalId}/enrichments",
  tags: ["Enrichment"],
  summary: "Run integrations on an entity named by your own id",
  middleware: [authorize("member", byExternalIdRows), idempotent()] as const,
  request: {
    params: z.object({ externalId: z.string().min(1).max(255).openapi({ param: { name: "externalId", in: "path" } }) }),
    headers: idempotencyHeader,
    body: jsonBody(EnrichRequestSchema),
  },
  responses: enrichResponses,
});

const listForEntity = createRoute({
  method: "get",
  path: "/v1/entities/{id}/enrichments",
  tags: ["Enrichment"],
  summary: "An entity's enrichment records, newest first",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam, query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(EnrichmentRecordSchema), "A page of records"), ...commonErrors, ...notFoundError },
});

const getOne = createRoute({
  method: "get",
  path: "/v1/enrichments/{id}",
  tags: ["Enrichment"],
  summary: "One enrichment record",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(EnrichmentRecordSchema, "The record"), ...commonErrors, ...notFoundError },
});

/** The rows read along with authentication, or (when it did not run them) one round trip of their own. */
function loadFor(c: Context<AppEnv>, prefetcher: AuthPrefetcher<RunRows>, ref: EntityRef, request: EnrichRequest) {
  return loadRunOrRows(c.get("db"), c.get("caller").orgId, ref, request, prefetcher.take(c));
}

function runAndAnswer(c: Context<AppEnv>, prefetcher: AuthPrefetcher<RunRows>, ref: EntityRef, request: EnrichRequest) {
  return enrichByRef(enrichRefDeps(c), ref, request, prefetcher.take(c));
}

export const enrichmentRoutes = createRouter()
  .openapi(enrichById, async (c) => {
    const { id } = c.req.valid("param");
    const request = c.req.valid("json") as EnrichRequest;
    if (c.req.valid("query").stream === "true") {
      const { entity } = await loadFor(c, byIdRows, { id }, request);
      await preflightEnrichment(c, request);
      return streamEnrichment(c, entity, request);
    }
    return c.json(await runAndAnswer(c, byIdRows, { id }, request), 200);
  })
  .openapi(enrichByExternalId, async (c) =>
    c.json(await runAndAnswer(c, byExternalIdRows, { externalId: c.req.valid("param").externalId }, c.req.valid("json") as EnrichRequest), 200),
  )
  .openapi(listForEntity, async (c) => {
    const db = c.get("db");
    const { orgId } = c.get("caller");
    const entity = await getEntity(db, orgId, c.req.valid("param").id);
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listEntityEnrichments(db, orgId, entity.id, limit, decodeCursor(token))), 200);
  })
  .openapi(getOne, async (c) => c.json(await getEnrichment(c.get("db"), c.get("caller").orgId, c.req.valid("param").id), 200));
