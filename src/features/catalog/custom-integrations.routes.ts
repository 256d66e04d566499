import { createRoute, z } from "@hono/zod-openapi";
import { freeFormJson } from "../../platform/lib/json-limits";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import {
  commonErrors,
  conflictError,
  createRouter,
  idempotencyHeader,
  jsonBody,
  jsonResponse,
  notFoundError,
  unprocessableError,
} from "../../platform/http/openapi";
import type { CustomIntegrationInput } from "../../providers/custom/definition";
import { FIELD_DICTIONARY } from "../../providers/field-dictionary";
import {
  createCustomIntegration,
  deleteCustomIntegration,
  getCustomIntegration,
  listCustomIntegrations,
  presentCustomIntegration,
  updateCustomIntegration,
} from "./custom-integrations";
import { ENTITY_TYPES } from "../../domain/attributes";

const EntityType = z.enum(ENTITY_TYPES);
const JsonPath = z.string().min(1).max(500).openapi({ example: "$.data.people[0].title" });
const maxEntries = (n: number) => (r: Record<string, unknown>) => Object.keys(r).length <= n;

const NoDataCondition = z
  .strictObject({
    path: JsonPath,
    when: z.enum(["missing", "empty", "equals"]),
    value: freeFormJson().optional().openapi({ description: "For `equals`: the JSON value that means no data" }),
  })
  .openapi("NoDataCondition");

const Confidence = z
  .strictObject({
    value: z.number().min(0).max(1).optional().openapi({ description: "Fixed confidence (default 0.7)" }),
    path: JsonPath.optional().openapi({ description: "Path to a number in the answer" }),
    scale: z.number().positive().optional().openapi({ description: "The number at `path` is divided by this (e.g. 100)" }),
  })
  .openapi("CustomConfidence");

/** Shared by create and patch; create adds `code` and applies defaults. */
const definitionShape = {
  name: z.string().trim().min(1).max(200).openapi({ example: "CRM people lookup" }),
  description: z.string().max(2000).nullable().optional(),
  entityTypes: z
    .array(EntityType)
    .min(1)
    .max(2)
    .refine((t) => new Set(t).size === t.length, "Listed twice"),
  inputs: z
    .array(z.array(z.string().min(1).max(100)).min(1).max(10))
    .max(10)
    .optional()
    .openapi({ description: "Alternative sets of required attributes; derived from the templates' placeholders when absent", example: [["email"]] }),
  method: z.enum(["GET", "POST"]).optional().openapi({ description: "Default GET" }),
  urlTemplate: z
    .string()
    .min(1)
    .max(2000)
    .openapi({ example: "https://api.example.com/v1/people?email={{email}}", description: "{{placeholders}} are URL-encoded; the host must be literal" }),
  headers: z
    .record(z.string().min(1).max(100), z.string().max(2000))
    .refine(maxEntries(20), "At most 20 headers")
    .optional()
    .openapi({ example: { authorization: "Bearer {{secrets.token}}" }, description: "Credentials only as {{secrets.NAME}}" }),
  bodyTemplate: freeFormJson().optional().openapi({ description: "JSON body for POST; a string that is exactly one placeholder keeps the value's type" }),
  mapping: z
    .record(z.string().min(1).max(100), JsonPath)
    .refine(maxEntries(50), "At most 50 fields")
    .openapi({ example: { jobTitle: "$.person.title", "custom.tier": "$.person.tier" }, description: "Dossier field → JSON path" }),
  noData: z.array(NoDataCondition).max(10).optional(),
  confidence: Confidence.optional(),
  credits: z.number().int().min(0).max(1000).optional().openapi({ description: "Default 1" }),
  costCents: z.number().int().min(0).max(100_000).optional().openapi({ description: "Default 0" }),
  timeoutMs: z.number().int().min(500).max(30_000).optional().openapi({ description: "Default 10000" }),
  cacheTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .nullable()
    .optional()
    .openapi({ description: "Cache answers this long, within this organization only; default no caching" }),
};

const CreateBody = z
  .strictObject({
    code: z
      .string()
      .regex(/^custom_[a-z0-9_]{1,60}$/, "Starts with custom_, then lower-case letters, digits and underscores")
      .openapi({ example: "custom_crm_lookup" }),
    ...definitionShape,
  })
  .openapi("CreateCustomIntegration");

const PatchBody = z.strictObject(definitionShape).partial().openapi("PatchCustomIntegration");

const CustomIntegrationSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    type: z.literal("http_json"),
    name: z.string(),
    description: z.string().nullable(),
    entityTypes: z.array(EntityType),
    inputs: z.array(z.array(z.string())),
    method: z.enum(["GET", "POST"]),
    urlTemplate: z.string(),
    headers: z.record(z.string(), z.string()),
    bodyTemplate: z.unknown(),
    mapping: z.record(z.string(), z.string()),
    noData: z.array(NoDataCondition),
    confidence: Confidence,
    secretNames: z.array(z.string()).openapi({ description: "Set them with PUT /v1/integrations/{code} {credentials}; never returned" }),
    credits: z.number().int(),
    costCents: z.number().int(),
    timeoutMs: z.number().int(),
    cacheTtlSeconds: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("CustomIntegration");

const FieldSchema = z
  .object({ name: z.string(), type: z.string(), entityTypes: z.array(EntityType), description: z.string() })
  .openapi("DossierField");

const codeParam = z.object({ code: z.string().max(100).openapi({ param: { name: "code", in: "path" }, example: "custom_crm_lookup" }) });

const create = createRoute({
  method: "post",
  path: "/v1/integrations/custom",
  tags: ["Integrations"],
  summary: "Define an http_json integration of this organization (admin)",
  middleware: [authorize("admin"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(CustomIntegrationSchema, "Created"), ...commonErrors, ...conflictError, ...unprocessableError },
});

const list = createRoute({
  method: "get",
  path: "/v1/integrations/custom",
  tags: ["Integrations"],
  summary: "This organization's http_json integrations, by code",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(CustomIntegrationSchema), "A page of custom integrations"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/integrations/custom/{code}",
  tags: ["Integrations"],
  summary: "Get an http_json integration",
  middleware: [authorize("viewer")] as const,
  request: { params: codeParam },
  responses: { 200: jsonResponse(CustomIntegrationSchema, "The integration"), ...commonErrors, ...notFoundError },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/integrations/custom/{code}",
  tags: ["Integrations"],
  summary: "Change an http_json integration (admin)",
  middleware: [authorize("admin")] as const,
  request: { params: codeParam, body: jsonBody(PatchBody) },
  responses: { 200: jsonResponse(CustomIntegrationSchema, "Updated"), ...commonErrors, ...notFoundError },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/integrations/custom/{code}",
  tags: ["Integrations"],
  summary: "Delete an http_json integration and its secrets (admin)",
  middleware: [authorize("admin")] as const,
  request: { params: codeParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
});

const fields = createRoute({
  method: "get",
  path: "/v1/integrations/fields",
  tags: ["Integrations"],
  summary: "The field dictionary: the Dossier field names integrations fill",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(FieldSchema) }), "Every field"), ...commonErrors },
});

type CreateBodyType = z.infer<typeof CreateBody>;

function withDefaults(body: CreateBodyType): CustomIntegrationInput {
  return {
    ...body,
    method: body.method ?? "GET",
    headers: body.headers ?? {},
    noData: body.noData ?? [],
    credits: body.credits ?? 1,
    costCents: body.costCents ?? 0,
    timeoutMs: body.timeoutMs ?? 10_000,
    cacheTtlSeconds: body.cacheTtlSeconds ?? null,
  };
}

export const customIntegrationRoutes = createRouter()
  .openapi(fields, (c) =>
    c.json({ data: Object.entries(FIELD_DICTIONARY).map(([name, f]) => ({ name, type: f.type, entityTypes: [...f.entityTypes], description: f.description })) }, 200),
  )
  .openapi(create, async (c) => {
    const row = await createCustomIntegration(c.get("db"), c.get("settings"), c.get("caller"), withDefaults(c.req.valid("json")));
    return c.json(presentCustomIntegration(row), 201);
  })
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listCustomIntegrations(c.get("db"), c.get("caller").orgId, { limit, cursor: decodeCursor(token) })), 200);
  })
  .openapi(get, async (c) => c.json(presentCustomIntegration(await getCustomIntegration(c.get("db"), c.get("caller").orgId, c.req.valid("param").code)), 200))
  .openapi(patch, async (c) => {
    const db = c.get("db");
    const caller = c.get("caller");
    const existing = await getCustomIntegration(db, caller.orgId, c.req.valid("param").code);
    return c.json(presentCustomIntegration(await updateCustomIntegration(db, c.get("settings"), caller, existing, c.req.valid("json"))), 200);
  })
  .openapi(remove, async (c) => {
    const db = c.get("db");
    const caller = c.get("caller");
    await deleteCustomIntegration(db, caller, await getCustomIntegration(db, caller.orgId, c.req.valid("param").code));
    return c.body(null, 204);
  });
