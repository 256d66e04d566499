import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../platform/http/context";
import { authorize } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import {
  commonErrors,
  conflictError,
  createRouter,
  idempotencyHeader,
  insufficientCreditsError,
  jsonResponse,
  notFoundError,
  unprocessableError,
} from "../../platform/http/openapi";
import {
  type ContactDeps,
  cancelContactEnrichment,
  currentContactEnrichment,
  startContactEnrichment,
} from "./contact-enrichment";
import { publishSettled } from "./events";
import { presentContactEnrichment } from "./records";
import { CONTACT_FIELDS } from "./settings";

const ContactEnrichmentSchema = z
  .object({
    id: z.uuid(),
    entityId: z.string(),
    entityType: z.literal("person"),
    field: z.enum(CONTACT_FIELDS),
    status: z.enum(["pending", "finished", "failed", "timeout", "cancelled"]).openapi({
      description: "A pending record older than the maximum age (default 800 s) reads, and is stored, as timeout.",
    }),
    error: z.object({ code: z.string(), message: z.string(), category: z.string() }).nullable(),
    dataFound: z
      .array(z.object({ value: z.string(), source: z.string(), confidence: z.number() }))
      .nullable()
      .openapi({ description: "Finished: the emails (lower-cased) or phones (E.164) found, with the integration that found them." }),
    globalEnrichmentId: z.string().nullable().openapi({ description: "Set when the data came from the global cache" }),
    creditTransactionId: z.string().nullable().openapi({ description: "The ledger row of the one charge, once finished" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string().nullable().openapi({ description: "The API key that requested it" }),
  })
  .openapi("ContactEnrichment");

const params = z.object({ personId: z.string().openapi({ param: { name: "personId", in: "path" } }) });
const query = z.object({
  field: z.enum(CONTACT_FIELDS).openapi({ param: { name: "field", in: "query" }, description: "What to find" }),
});
const path = "/v1/people/{personId}/contact-enrichment";
const personErrors = { ...commonErrors, ...notFoundError, ...unprocessableError };

const start = createRoute({
  method: "post",
  path,
  tags: ["Contact enrichment"],
  summary: "Find a person's emails or phones (asynchronous, once per person and field)",
  description:
    "202 with a new pending record whose task is queued. If the person already has a pending or finished record for the field, " +
    "answers it with 200 and charges nothing; after failed, timeout or cancelled a new one starts. Prepaid organizations hold the " +
    "price until the record settles (402 and no record when they cannot). A company entity is 422.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { params, query, headers: idempotencyHeader },
  responses: {
    202: jsonResponse(ContactEnrichmentSchema, "Started: a new pending record"),
    200: jsonResponse(ContactEnrichmentSchema, "Already pending or finished: the existing record, nothing charged"),
    ...personErrors,
    ...insufficientCreditsError,
    ...conflictError,
  },
});

const get = createRoute({
  method: "get",
  path,
  tags: ["Contact enrichment"],
  summary: "The person's current contact enrichment for the field",
  middleware: [authorize("viewer")] as const,
  request: { params, query },
  responses: { 200: jsonResponse(ContactEnrichmentSchema, "The newest record"), ...personErrors },
});

const cancel = createRoute({
  method: "post",
  path: `${path}/cancel`,
  tags: ["Contact enrichment"],
  summary: "Cancel the pending contact enrichment (nothing is charged)",
  middleware: [authorize("member")] as const,
  request: { params, query },
  responses: {
    200: jsonResponse(ContactEnrichmentSchema, "Cancelled"),
    ...personErrors,
    ...conflictError,
  },
});

function depsOf(c: Context<AppEnv>): ContactDeps {
  return { env: c.env, db: c.get("db"), announce: (row) => c.executionCtx.waitUntil(publishSettled(c.env, [row])) };
}

export const contactEnrichmentRoutes = createRouter()
  .openapi(start, async (c) => {
    const { record, created } = await startContactEnrichment(depsOf(c), c.get("caller"), c.req.valid("param").personId, c.req.valid("query").field);
    return created ? c.json(presentContactEnrichment(record), 202) : c.json(presentContactEnrichment(record), 200);
  })
  .openapi(get, async (c) => {
    const record = await currentContactEnrichment(depsOf(c), c.get("caller").orgId, c.req.valid("param").personId, c.req.valid("query").field);
    return c.json(presentContactEnrichment(record), 200);
  })
  .openapi(cancel, async (c) => {
    const record = await cancelContactEnrichment(depsOf(c), c.get("caller"), c.req.valid("param").personId, c.req.valid("query").field);
    return c.json(presentContactEnrichment(record), 200);
  });
