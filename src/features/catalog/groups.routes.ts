import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../platform/errors";
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
import type { Db } from "../../platform/db/client";
import { catalogFor } from "./catalog";
import { createGroup, deleteGroup, getGroup, listGroups, presentGroup, updateGroup } from "./groups";

const Slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "Lower-case letters, digits and dashes")
  .openapi({ example: "kyc" });
const Codes = z.array(z.string().min(1).max(100)).min(1).max(50).openapi({ example: ["sanctions_screen", "phone_normalize"] });

const GroupSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    integrationCodes: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("EnrichmentGroup");

const CreateGroupBody = z
  .strictObject({ slug: Slug, name: z.string().trim().min(1).max(200).openapi({ example: "KYC basics" }), description: z.string().max(2000).nullable().optional(), integrationCodes: Codes })
  .openapi("CreateEnrichmentGroup");
const PatchGroupBody = CreateGroupBody.partial().openapi("PatchEnrichmentGroup");

const refParam = z.object({ idOrSlug: z.string().max(100).openapi({ param: { name: "idOrSlug", in: "path" } }) });

async function assertKnownCodes(db: Db, orgId: string, codes: string[] | undefined) {
  if (!codes) return;
  const catalog = await catalogFor(db, orgId);
  const unknown = codes.filter((c) => !catalog.has(c));
  if (unknown.length > 0) {
    throw new ApiError("VALIDATION_ERROR", `Unknown integration code: ${unknown.join(", ")}`, {
      details: unknown.map((code) => ({ path: "integrationCodes", message: `Unknown integration '${code}'` })),
    });
  }
}

const create = createRoute({
  method: "post",
  path: "/v1/enrichment-groups",
  tags: ["Enrichment groups"],
  summary: "Create a named, ordered list of integrations (admin)",
  middleware: [authorize("admin"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateGroupBody) },
  responses: { 201: jsonResponse(GroupSchema, "Created"), ...commonErrors, ...conflictError, ...unprocessableError },
});

const list = createRoute({
  method: "get",
  path: "/v1/enrichment-groups",
  tags: ["Enrichment groups"],
  summary: "List enrichment groups",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(GroupSchema), "A page of groups"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/enrichment-groups/{idOrSlug}",
  tags: ["Enrichment groups"],
  summary: "Get a group by id or slug",
  middleware: [authorize("viewer")] as const,
  request: { params: refParam },
  responses: { 200: jsonResponse(GroupSchema, "The group"), ...commonErrors, ...notFoundError },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/enrichment-groups/{idOrSlug}",
  tags: ["Enrichment groups"],
  summary: "Update a group (admin)",
  middleware: [authorize("admin")] as const,
  request: { params: refParam, body: jsonBody(PatchGroupBody) },
  responses: { 200: jsonResponse(GroupSchema, "Updated"), ...commonErrors, ...notFoundError, ...conflictError },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/enrichment-groups/{idOrSlug}",
  tags: ["Enrichment groups"],
  summary: "Delete a group (admin)",
  middleware: [authorize("admin")] as const,
  request: { params: refParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
});

export const enrichmentGroupRoutes = createRouter()
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    await assertKnownCodes(c.get("db"), c.get("caller").orgId, body.integrationCodes);
    return c.json(presentGroup(await createGroup(c.get("db"), c.get("caller"), body)), 201);
  })
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listGroups(c.get("db"), c.get("caller").orgId, limit, decodeCursor(token))), 200);
  })
  .openapi(get, async (c) => c.json(presentGroup(await getGroup(c.get("db"), c.get("caller").orgId, c.req.valid("param").idOrSlug)), 200))
  .openapi(patch, async (c) => {
    const db = c.get("db");
    const caller = c.get("caller");
    const body = c.req.valid("json");
    const existing = await getGroup(db, caller.orgId, c.req.valid("param").idOrSlug);
    await assertKnownCodes(db, caller.orgId, body.integrationCodes);
    return c.json(presentGroup(await updateGroup(db, caller, existing, body)), 200);
  })
  .openapi(remove, async (c) => {
    const db = c.get("db");
    const caller = c.get("caller");
    await deleteGroup(db, caller, await getGroup(db, caller.orgId, c.req.valid("param").idOrSlug));
    return c.body(null, 204);
  });
