import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, conflictError, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError } from "../../../platform/http/openapi";
import { idempotent } from "../../../platform/http/idempotency";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../../platform/http/pagination";
import { authorize, idParam } from "../../tenancy";
import { createSchema, deleteSchema, getSchema, listSchemas, listVersions, presentSchema, updateSchema } from "./schema-store";

const tags = ["LLM schemas"];

export const ExpertiseDomainsSchema = z
  .record(z.string().max(40), z.strictObject({ name: z.string().min(1).max(200), description: z.string().max(2000).optional() }))
  .openapi({ description: "`{key: {name, description}}`: the groups of fields multi_expertise asks about in separate calls", example: { finance: { name: "Finance", description: "Revenue, funding, listing" } } });

export const UserJsonSchema = z.record(z.string(), z.unknown()).openapi({
  description:
    "A JSON Schema (draft 2020-12 subset): object, string (format, enum, minLength, maxLength, pattern), number, integer (minimum, maximum), boolean, array (items, minItems, maxItems), nested objects (properties, required, additionalProperties: false), `[type, \"null\"]` for nullable scalars; depth ≤ 5, ≤ 200 properties. Properties may carry `expertise` (a domain key), `identifying` (a search key) and `multilingual` (strings: one value per requested language). Anything else is a 400 naming the path.",
  example: {
    type: "object",
    properties: {
      legalName: { type: "string", description: "Registered legal name", identifying: true },
      founded: { type: "integer", minimum: 1800, maximum: 2100, expertise: "history" },
      revenueUsdM: { type: "number", description: "Last annual revenue, USD millions", expertise: "finance" },
      summary: { type: "string", multilingual: true },
    },
    required: ["legalName"],
  },
});

const SchemaFields = {
  name: z.string().trim().min(1).max(200).openapi({ example: "Company profile" }),
  description: z.string().max(2000).nullable().optional(),
  entityType: z.string().trim().min(1).max(200).nullable().optional().openapi({ description: "What an entity should be (classification checks it)", example: "company" }),
  expertiseDomains: ExpertiseDomainsSchema.optional(),
};

const CreateSchemaBody = z
  .strictObject({ ...SchemaFields, jsonSchema: UserJsonSchema })
  .openapi("CreateLlmSchema", {
    example: {
      name: "Company profile",
      entityType: "company",
      expertiseDomains: { history: { name: "History" }, finance: { name: "Finance" } },
      jsonSchema: {
        type: "object",
        properties: {
          legalName: { type: "string", identifying: true },
          founded: { type: "integer", expertise: "history" },
          revenueUsdM: { type: "number", expertise: "finance" },
        },
        required: ["legalName"],
      },
    },
  });

const PatchSchemaBody = z
  .strictObject({
    name: SchemaFields.name.optional(),
    description: SchemaFields.description,
    entityType: SchemaFields.entityType,
    expertiseDomains: SchemaFields.expertiseDomains,
    jsonSchema: UserJsonSchema.optional(),
  })
  .openapi("PatchLlmSchema", { example: { description: "Companies we sell to" } });

export const LlmSchemaSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    entityType: z.string().nullable(),
    expertiseDomains: z.record(z.string(), z.object({ name: z.string(), description: z.string().optional() })),
    jsonSchema: z.record(z.string(), z.unknown()),
    version: z.number().int(),
    leafFields: z.number().int(),
    identifyingFields: z.array(z.string()),
    origin: z.enum(["saved", "inline"]),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("LlmSchema");

const VersionSchema = z
  .object({
    schemaId: z.string(),
    version: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    entityType: z.string().nullable(),
    expertiseDomains: z.record(z.string(), z.object({ name: z.string(), description: z.string().optional() })),
    jsonSchema: z.record(z.string(), z.unknown()),
    change: z.enum(["created", "updated", "generated", "edited"]),
    recordId: z.string().nullable().openapi({ description: "The schema_generation or schema_edit record behind this version" }),
    createdAt: z.string(),
  })
  .openapi("LlmSchemaVersion");

const list = createRoute({
  method: "get",
  path: "/v1/llm/schemas",
  tags,
  summary: "Saved schemas, newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery.extend({ q: z.string().max(200).optional().openapi({ description: "Part of the name" }) }) },
  responses: { 200: jsonResponse(pageSchema(LlmSchemaSchema), "A page of schemas"), ...commonErrors },
});

const create = createRoute({
  method: "post",
  path: "/v1/llm/schemas",
  tags,
  summary: "Save a schema",
  middleware: [authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateSchemaBody) },
  responses: { 201: jsonResponse(LlmSchemaSchema, "Created (version 1)"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/llm/schemas/{id}",
  tags,
  summary: "A schema at its latest version",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(LlmSchemaSchema, "The schema"), ...commonErrors, ...notFoundError },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/llm/schemas/{id}",
  tags,
  summary: "Change a schema: every change is a new version",
  middleware: [authorize("member")] as const,
  request: { params: idParam, body: jsonBody(PatchSchemaBody) },
  responses: { 200: jsonResponse(LlmSchemaSchema, "The schema at its new version"), ...commonErrors, ...notFoundError, ...conflictError },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/llm/schemas/{id}",
  tags,
  summary: "Delete a schema (its versions stay, for the records made with them)",
  middleware: [authorize("member")] as const,
  request: { params: idParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
});

const versions = createRoute({
  method: "get",
  path: "/v1/llm/schemas/{id}/versions",
  tags,
  summary: "Every version of a schema, newest first",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam, query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(VersionSchema), "A page of versions"), ...commonErrors, ...notFoundError },
});

export const schemaRoutes = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor, q } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listSchemas(c.get("db"), c.get("caller").orgId, { limit, q, cursor: decodeCursor(token) })), 200);
  })
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    const row = await createSchema(c.get("db"), c.get("caller"), {
      name: body.name,
      description: body.description ?? null,
      entityType: body.entityType ?? null,
      expertiseDomains: body.expertiseDomains ?? {},
      jsonSchema: body.jsonSchema,
    });
    return c.json(presentSchema(row), 201);
  })
  .openapi(get, async (c) => c.json(presentSchema(await getSchema(c.get("db"), c.get("caller").orgId, c.req.valid("param").id)), 200))
  .openapi(patch, async (c) => c.json(presentSchema(await updateSchema(c.get("db"), c.get("caller"), c.req.valid("param").id, c.req.valid("json"))), 200))
  .openapi(remove, async (c) => {
    await deleteSchema(c.get("db"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(versions, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listVersions(c.get("db"), c.get("caller").orgId, c.req.valid("param").id, { limit, cursor: token })), 200);
  });
