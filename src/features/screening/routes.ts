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
import { createClearance, deleteClearance, listClearances, presentClearance } from "./clearances";
import { idParam } from "../tenancy";

const ClearanceSchema = z
  .object({
    id: z.uuid(),
    entityId: z.string(),
    sdnId: z.number().int(),
    note: z.string().nullable(),
    createdAt: z.string(),
    createdByKeyId: z.string().nullable(),
  })
  .openapi("ScreeningClearance");

const CreateClearanceBody = z
  .strictObject({
    entityId: z.string().min(1).max(100).openapi({ example: "5388f1c9-bea8-491f-b2e9-4ff5b6fc08c0" }),
    sdnId: z.number().int().positive().openapi({ description: "The SDN entry's id (`sdnId` of a screening match)", example: 36 }),
    note: z.string().trim().max(2000).optional().openapi({ description: "Why the match is a false positive", example: "Reviewed: a different company" }),
  })
  .openapi("CreateScreeningClearance");

const create = createRoute({
  method: "post",
  path: "/v1/screening/cleared",
  tags: ["Screening"],
  summary: "Clear a reviewed false positive for an entity",
  description: "The SDN entry still shows in this entity's screening results, marked `cleared: true`, but no longer raises a hit.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateClearanceBody) },
  responses: {
    201: jsonResponse(ClearanceSchema, "Cleared"),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError,
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/screening/cleared",
  tags: ["Screening"],
  summary: "List clearances, newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery.extend({ entityId: z.string().min(1).max(100).optional() }) },
  responses: { 200: jsonResponse(pageSchema(ClearanceSchema), "A page of clearances"), ...commonErrors, ...notFoundError },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/screening/cleared/{id}",
  tags: ["Screening"],
  summary: "Withdraw a clearance",
  middleware: [authorize("member")] as const,
  request: { params: idParam },
  responses: { 204: { description: "Withdrawn" }, ...commonErrors, ...notFoundError },
});

export const screeningRoutes = createRouter()
  .openapi(create, async (c) => c.json(presentClearance(await createClearance(c.get("db"), c.get("caller"), c.req.valid("json"))), 201))
  .openapi(list, async (c) => {
    const { limit, cursor, entityId } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listClearances(c.get("db"), c.get("caller").orgId, { entityId, limit, cursor: decodeCursor(token) })), 200);
  })
  .openapi(remove, async (c) => {
    await deleteClearance(c.get("db"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  });
