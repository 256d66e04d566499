import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { commonErrors, conflictError, createRouter, jsonBody, jsonResponse, notFoundError } from "../../../platform/http/openapi";
import { decodeCursor, paged } from "../../../platform/http/pagination";
import { authorize, idParam } from "../../tenancy";
import { getConflict, listConflicts } from "../conflicts/read";
import { resolveConflict, resolveMany } from "../conflicts/resolve";
import { BulkResolveBody, BulkResolvedSchema, ConflictListQuery, ConflictPage, ConflictSchema, ResolveBody, ResolvedSchema } from "../schemas";

const tags = ["Auto-enrichment"];

const list = createRoute({
  method: "get",
  path: "/v1/auto-enrichment/conflicts",
  tags,
  summary: "Conflicts needing review (open by default), newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: ConflictListQuery },
  responses: { 200: jsonResponse(ConflictPage, "A page of conflicts"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/auto-enrichment/conflicts/{id}",
  tags,
  summary: "A conflict: the entity, the attribute, the current value and the proposal with their sources",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(ConflictSchema, "The conflict"), ...commonErrors, ...notFoundError },
});

const resolveDescription =
  "`accept` (the default) writes the proposal and `custom` the given value, both as the customer's, with an audit row in the same batch; " +
  "`keep` leaves the value and suppresses the same proposal later; `dismiss` closes it. Repeating the same resolution answers 200; " +
  "409 when it was resolved otherwise, or the attribute changed since the conflict was raised.";

/** POST and PUT are the same operation (SalesOS documents both); the body may be left out. */
const resolveRoute = (method: "post" | "put") =>
  createRoute({
    method,
    path: "/v1/auto-enrichment/conflicts/{id}/resolve",
    tags,
    summary: "Resolve a conflict",
    description: resolveDescription,
    middleware: [authorize("member")] as const,
    request: { params: idParam, body: { required: false, content: { "application/json": { schema: ResolveBody } } } },
    responses: { 200: jsonResponse(ResolvedSchema, "Resolved"), ...commonErrors, ...notFoundError, ...conflictError },
  });

const bulk = createRoute({
  method: "post",
  path: "/v1/auto-enrichment/conflicts/resolve",
  tags,
  summary: "Resolve up to 500 conflicts, each on its own",
  description: "Answers which succeeded and, for each other, the error it would have answered alone.",
  middleware: [authorize("member")] as const,
  request: { body: jsonBody(BulkResolveBody) },
  responses: { 200: jsonResponse(BulkResolvedSchema, "Each conflict's outcome"), ...commonErrors },
});

type ResolveInput = z.output<typeof ResolveBody>;

export const conflictRoutes = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor, ...filters } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listConflicts(c.get("db"), c.get("caller").orgId, { ...filters, limit, cursor: decodeCursor(token) })), 200);
  })
  .openapi(bulk, async (c) => {
    const { ids, action, note } = c.req.valid("json");
    return c.json(await resolveMany(c.env, c.get("db"), c.get("caller"), ids, { action, note }), 200);
  })
  .openapi(get, async (c) => c.json(await getConflict(c.get("db"), c.get("caller").orgId, c.req.valid("param").id), 200))
  .openapi(resolveRoute("post"), async (c) => {
    const body: ResolveInput = c.req.valid("json");
    return c.json(await resolveConflict(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, { ...body, action: body.action ?? "accept" }), 200);
  })
  .openapi(resolveRoute("put"), async (c) => {
    const body: ResolveInput = c.req.valid("json");
    return c.json(await resolveConflict(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, { ...body, action: body.action ?? "accept" }), 200);
  });
