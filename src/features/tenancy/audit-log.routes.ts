import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize } from "./authorize";
import { commonErrors, createRouter, jsonResponse } from "../../platform/http/openapi";
import { listAuditLog } from "./audit-log";

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    actorKeyId: z.string().nullable().openapi({ description: "The API key that acted; null for the operator" }),
    action: z.string().openapi({ example: "entity.created" }),
    targetType: z.string(),
    targetId: z.string().nullable(),
    at: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEntry");

const list = createRoute({
  method: "get",
  path: "/v1/audit-log",
  tags: ["Audit"],
  summary: "The organization's audit trail, newest first (admin)",
  middleware: [authorize("admin")] as const,
  request: {
    query: paginationQuery.extend({
      action: z.string().max(100).optional(),
      targetType: z.string().max(100).optional(),
      targetId: z.string().max(255).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(AuditEntrySchema), "A page of audit entries"), ...commonErrors },
});

export const auditLogRoutes = createRouter().openapi(list, async (c) => {
  const { cursor, ...query } = c.req.valid("query");
  return c.json(await paged(c, cursor, (token) => listAuditLog(c.get("db"), c.get("caller").orgId, { ...query, cursor: decodeCursor(token) })), 200);
});
