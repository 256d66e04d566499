import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { CreatedApiKeySchema, OrganizationSchema, listOrganizations, requireAdminToken } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, jsonBody, jsonResponse, unprocessableError } from "../../platform/http/openapi";
import { openOrganization } from "./open-organization";
import { BILLING_MODES } from "../../domain/vocabulary";

const CreateOrganizationBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).openapi({ example: "Acme Research" }),
    billingMode: z.enum(BILLING_MODES),
    initialCredits: z.number().int().min(0).max(1_000_000_000).optional().openapi({ example: 500 }),
  })
  .openapi("CreateOrganization");

const create = createRoute({
  method: "post",
  path: "/v1/admin/organizations",
  tags: ["Operator"],
  summary: "Create an organization and its first admin API key",
  security: [{ adminToken: [] }],
  middleware: [requireAdminToken(), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateOrganizationBody) },
  responses: {
    201: jsonResponse(
      z.object({ organization: OrganizationSchema, apiKey: CreatedApiKeySchema }),
      "Created; the API key is shown only here",
    ),
    ...commonErrors,
    ...unprocessableError,
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/admin/organizations",
  tags: ["Operator"],
  summary: "List organizations",
  security: [{ adminToken: [] }],
  middleware: [requireAdminToken()] as const,
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(OrganizationSchema), "A page of organizations"), ...commonErrors },
});

export const adminOrganizationRoutes = createRouter()
  .openapi(create, async (c) => c.json(await openOrganization(c.get("db"), c.req.valid("json")), 201))
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listOrganizations(c.get("db"), limit, decodeCursor(token))), 200);
  });
