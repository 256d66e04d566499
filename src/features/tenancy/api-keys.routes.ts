import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize } from "./authorize";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import { ApiKeySchema, CreatedApiKeySchema, RoleSchema, idParam } from "./schemas";

const CreateApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).openapi({ example: "CRM sync" }),
    role: RoleSchema,
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional().openapi({ example: 600 }),
  })
  .openapi("CreateApiKey");

const create = createRoute({
  method: "post",
  path: "/v1/api-keys",
  tags: ["API keys"],
  summary: "Create an API key (admin); the secret is returned once",
  middleware: [authorize("admin"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateApiKeyBody) },
  responses: { 201: jsonResponse(CreatedApiKeySchema, "Created"), ...commonErrors, ...unprocessableError },
});

const list = createRoute({
  method: "get",
  path: "/v1/api-keys",
  tags: ["API keys"],
  summary: "List API keys without their secrets (admin)",
  middleware: [authorize("admin")] as const,
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(ApiKeySchema), "A page of keys"), ...commonErrors },
});

const revoke = createRoute({
  method: "delete",
  path: "/v1/api-keys/{id}",
  tags: ["API keys"],
  summary: "Revoke an API key at once (admin)",
  middleware: [authorize("admin")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(ApiKeySchema, "The revoked key"), ...commonErrors, ...notFoundError },
});

export const apiKeyRoutes = createRouter()
  .openapi(create, async (c) => {
    const caller = c.get("caller");
    const body = c.req.valid("json");
    return c.json(await createApiKey(c.get("db"), { ...body, orgId: caller.orgId, actorKeyId: caller.keyId }), 201);
  })
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listApiKeys(c.get("db"), c.get("caller").orgId, limit, decodeCursor(token))), 200);
  })
  .openapi(revoke, async (c) => c.json(await revokeApiKey(c.get("db"), c.get("caller"), c.req.valid("param").id), 200));
