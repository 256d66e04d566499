import { createRoute, z } from "@hono/zod-openapi";
import { ALERT_STATUSES, SEVERITIES } from "../../db/schema/rules";
import { publish } from "../../platform/events";
import { commonErrors, conflictError, createRouter, jsonBody, jsonResponse, notFoundError } from "../../platform/http/openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize, idParam } from "../tenancy";
import { type AlertMove, alertEvent, getAlert, listAlerts, moveAlert, presentAlert } from "./alerts";
import { AlertSchema, ResolveAlertBody } from "./schemas";
import type { Context } from "hono";
import type { AppEnv } from "../../platform/http/context";

const tags = ["Alerts"];

const list = createRoute({
  method: "get",
  path: "/v1/alerts",
  tags,
  summary: "Alerts raised by rules, newest first",
  middleware: [authorize("viewer")] as const,
  request: {
    query: paginationQuery.extend({
      status: z.enum(ALERT_STATUSES).optional(),
      severity: z.enum(SEVERITIES).optional(),
      entityId: z.string().max(100).optional(),
      ruleId: z.string().max(100).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(AlertSchema), "A page of alerts"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/alerts/{id}",
  tags,
  summary: "Get an alert",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(AlertSchema, "The alert"), ...commonErrors, ...notFoundError },
});

const acknowledge = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/acknowledge",
  tags,
  summary: "Acknowledge an open alert (409 in any other status)",
  middleware: [authorize("member")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(AlertSchema, "Acknowledged"), ...commonErrors, ...notFoundError, ...conflictError },
});

const resolve = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/resolve",
  tags,
  summary: "Resolve an open or acknowledged alert (409 once resolved); a false positive takes its rule's score off the entity's risk",
  middleware: [authorize("member")] as const,
  request: { params: idParam, body: jsonBody(ResolveAlertBody) },
  responses: { 200: jsonResponse(AlertSchema, "Resolved"), ...commonErrors, ...notFoundError, ...conflictError },
});

/** Moves the alert, then publishes `alert.updated` after the answer. */
async function moved(c: Context<AppEnv>, id: string, move: AlertMove) {
  const row = await moveAlert(c.get("db"), c.get("caller"), id, move);
  c.executionCtx.waitUntil(publish(c.env, [alertEvent("alert.updated", row)]));
  return presentAlert(row);
}

export const alertRoutes = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor, ...filters } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listAlerts(c.get("db"), c.get("caller").orgId, { ...filters, limit, cursor: decodeCursor(token) })), 200);
  })
  .openapi(get, async (c) => c.json(presentAlert(await getAlert(c.get("db"), c.get("caller").orgId, c.req.valid("param").id)), 200))
  .openapi(acknowledge, async (c) => c.json(await moved(c, c.req.valid("param").id, { to: "acknowledged" }), 200))
  .openapi(resolve, async (c) => c.json(await moved(c, c.req.valid("param").id, { to: "resolved", ...c.req.valid("json") }), 200));
