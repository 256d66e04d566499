import { createRoute, z } from "@hono/zod-openapi";
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
import {
  type EntityWriteContext,
  createEntity,
  deleteEntity,
  getEntity,
  getEntityByExternalId,
  listEntities,
  presentEntity,
  presentWithProvenance,
  updateEntity,
  upsertEntityByExternalId,
} from "./entities";
import type { Context } from "hono";
import type { AppEnv } from "../../platform/http/context";
import { ATTRIBUTE_SOURCES } from "../../db/schema/entities";
import { idParam } from "../tenancy";
import { ENTITY_TYPES } from "../../domain/attributes";
import { MAX_TAGS, TagSchema } from "./fields/tags";

const EntityType = z.enum(ENTITY_TYPES);
const ExternalId = z.string().trim().min(1).max(255).openapi({ example: "crm-1" });

export const EnrichedFieldSchema = z
  .object({
    value: z.unknown(),
    source: z.string().openapi({ description: "The integration code that found it" }),
    confidence: z.number().min(0).max(1),
    enrichedAt: z.string(),
  })
  .openapi("EnrichedField");

export const EntitySchema = z
  .object({
    id: z.uuid(),
    type: EntityType,
    externalId: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()).openapi({
      description: "Person: fullName, firstName, lastName, email, phone, title, companyName, companyDomain, linkedinUrl, country, dateOfBirth, custom. Company: name, domain, website, country, registrationNumber, lei, custom.",
    }),
    enriched: z.record(z.string(), EnrichedFieldSchema),
    tags: z.array(z.string()).openapi({ description: "Set by PATCH or by rules (`add_tag`)", example: ["sanctions-review"] }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Entity");

export const AttributeSourceSchema = z
  .object({
    source: z.enum(ATTRIBUTE_SOURCES),
    integrationCode: z.string().optional(),
    enrichmentId: z.string().optional(),
    confidence: z.number().min(0).max(1).optional(),
    setAt: z.string(),
    setByKeyId: z.string().nullable().optional(),
  })
  .openapi("AttributeSource");

const EntityWithProvenanceSchema = EntitySchema.extend({
  attributeSources: z.record(z.string(), AttributeSourceSchema).optional().openapi({
    description:
      "With `?include=provenance`: per attribute (`custom.<key>` for custom ones), who set its value: `customer` (API writes, imports), `enrichment` (auto-enrichment), `resolution` (a resolved conflict).",
  }),
}).openapi("EntityWithProvenance");

const AttributesInput = z.record(z.string(), z.unknown()).openapi({
  description: "Validated and normalized per entity type; unknown attribute names are rejected (use `custom`).",
  example: { fullName: "Ada Lovelace", email: "Ada@Example.com", country: "gb" },
});

const CreateEntityBody = z
  .strictObject({
    type: EntityType,
    externalId: ExternalId.optional(),
    attributes: AttributesInput,
    integrationCodes: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(20)
      .optional()
      .openapi({ description: "Integration codes (not groups) to run once on creation, through the auto-enrichment pipeline.", example: ["phone_normalize"] }),
  })
  .openapi("CreateEntity");

const PatchEntityBody = z
  .strictObject({
    externalId: ExternalId.nullable().optional(),
    attributes: AttributesInput.optional(),
    tags: z.array(TagSchema).max(MAX_TAGS).optional().openapi({ description: "Replaces the entity's tags (duplicates dropped)", example: ["vip", "kyc:pending"] }),
  })
  .openapi("PatchEntity");

const PutEntityBody = z.strictObject({ type: EntityType, attributes: AttributesInput }).openapi("PutEntity");

const externalIdParam = z.object({ externalId: ExternalId.openapi({ param: { name: "externalId", in: "path" } }) });

const create = createRoute({
  method: "post",
  path: "/v1/entities",
  tags: ["Entities"],
  summary: "Create a person or company",
  middleware: [authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateEntityBody) },
  responses: { 201: jsonResponse(EntitySchema, "Created"), ...commonErrors, ...conflictError, ...unprocessableError },
});

const list = createRoute({
  method: "get",
  path: "/v1/entities",
  tags: ["Entities"],
  summary: "List entities, newest first",
  middleware: [authorize("viewer")] as const,
  request: {
    query: paginationQuery.extend({
      type: EntityType.optional(),
      q: z.string().max(200).optional().openapi({ description: "Substring of name, email, domain or externalId" }),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(EntitySchema), "A page of entities"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/entities/{id}",
  tags: ["Entities"],
  summary: "Get an entity",
  middleware: [authorize("viewer")] as const,
  request: {
    params: idParam,
    query: z.object({
      include: z.enum(["provenance"]).optional().openapi({ description: "`provenance` adds `attributeSources`." }),
    }),
  },
  responses: { 200: jsonResponse(EntityWithProvenanceSchema, "The entity"), ...commonErrors, ...notFoundError },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/entities/{id}",
  tags: ["Entities"],
  summary: "Update attributes (merged; null removes one) or the externalId",
  middleware: [authorize("member")] as const,
  request: { params: idParam, body: jsonBody(PatchEntityBody) },
  responses: { 200: jsonResponse(EntitySchema, "Updated"), ...commonErrors, ...notFoundError, ...conflictError },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/entities/{id}",
  tags: ["Entities"],
  summary: "Delete an entity",
  middleware: [authorize("member")] as const,
  request: { params: idParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
});

const getByExternalId = createRoute({
  method: "get",
  path: "/v1/entities/by-external-id/{externalId}",
  tags: ["Entities"],
  summary: "Get an entity by your own id",
  middleware: [authorize("viewer")] as const,
  request: { params: externalIdParam },
  responses: { 200: jsonResponse(EntitySchema, "The entity"), ...commonErrors, ...notFoundError },
});

const putByExternalId = createRoute({
  method: "put",
  path: "/v1/entities/by-external-id/{externalId}",
  tags: ["Entities"],
  summary: "Create or replace an entity by your own id",
  middleware: [authorize("member")] as const,
  request: { params: externalIdParam, body: jsonBody(PutEntityBody) },
  responses: {
    200: jsonResponse(EntitySchema, "Replaced"),
    201: jsonResponse(EntitySchema, "Created"),
    ...commonErrors,
    ...conflictError,
  },
});

/** A route's customer write: after-commit work (queue messages, events) runs under the request's waitUntil. */
const writeContext = (c: Context<AppEnv>): EntityWriteContext => ({
  db: c.get("db"),
  env: c.env,
  caller: c.get("caller"),
  defer: (work) => c.executionCtx.waitUntil(work),
});

export const entityRoutes = createRouter()
  .openapi(create, async (c) => c.json(presentEntity(await createEntity(writeContext(c), c.req.valid("json"))), 201))
  .openapi(list, async (c) => {
    const { limit, cursor, type, q } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listEntities(c.get("db"), c.get("caller").orgId, { limit, type, q, cursor: decodeCursor(token) })), 200);
  })
  .openapi(getByExternalId, async (c) =>
    c.json(presentEntity(await getEntityByExternalId(c.get("db"), c.get("caller").orgId, c.req.valid("param").externalId)), 200),
  )
  .openapi(putByExternalId, async (c) => {
    const { row, created } = await upsertEntityByExternalId(writeContext(c), c.req.valid("param").externalId, c.req.valid("json"));
    return created ? c.json(presentEntity(row), 201) : c.json(presentEntity(row), 200);
  })
  .openapi(get, async (c) => {
    const row = await getEntity(c.get("db"), c.get("caller").orgId, c.req.valid("param").id);
    return c.json(c.req.valid("query").include === "provenance" ? presentWithProvenance(row) : presentEntity(row), 200);
  })
  .openapi(patch, async (c) => {
    const ctx = writeContext(c);
    const existing = await getEntity(ctx.db, ctx.caller.orgId, c.req.valid("param").id);
    return c.json(presentEntity(await updateEntity(ctx, existing, c.req.valid("json"))), 200);
  })
  .openapi(remove, async (c) => {
    await deleteEntity(c.get("db"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  });
