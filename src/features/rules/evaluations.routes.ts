import { createRoute, z } from "@hono/zod-openapi";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize, idParam } from "../tenancy";
import { listEvaluations } from "./evaluations";
import { evaluateEntityNow } from "./manual";
import { entityRisk, getThresholds, putThresholds } from "./risk";
import { EntityEvaluationSchema, EvaluationSchema, RiskLevelsBody, RiskLevelsSchema, RiskSchema } from "./schemas";

const tags = ["Rules"];

const evaluations = createRoute({
  method: "get",
  path: "/v1/rules/evaluations",
  tags,
  summary: "Evaluation records (one per rule and event), newest first",
  middleware: [authorize("viewer")] as const,
  request: {
    query: paginationQuery.extend({
      ruleId: z.string().max(100).optional(),
      entityId: z.string().max(100).optional(),
      eventId: z.string().max(200).optional(),
      matched: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(EvaluationSchema), "A page of evaluations"), ...commonErrors },
});

const getLevels = createRoute({
  method: "get",
  path: "/v1/rules/risk-levels",
  tags,
  summary: "Risk thresholds (default medium 30, high 60, critical 85)",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(RiskLevelsSchema, "The thresholds"), ...commonErrors },
});

const putLevels = createRoute({
  method: "put",
  path: "/v1/rules/risk-levels",
  tags,
  summary: "Set the risk thresholds (admin)",
  middleware: [authorize("admin")] as const,
  request: { body: jsonBody(RiskLevelsBody) },
  responses: { 200: jsonResponse(RiskLevelsSchema, "The thresholds"), ...commonErrors },
});

const evaluateNow = createRoute({
  method: "post",
  path: "/v1/entities/{id}/rules/evaluate",
  tags,
  summary: "Run every active and shadow rule on the entity now (over its latest enrichment results)",
  middleware: [authorize("member"), idempotent()] as const,
  request: { params: idParam, headers: idempotencyHeader },
  responses: { 200: jsonResponse(EntityEvaluationSchema, "The evaluations, recorded and acted on"), ...commonErrors, ...notFoundError, ...unprocessableError },
});

const risk = createRoute({
  method: "get",
  path: "/v1/entities/{id}/risk",
  tags,
  summary: "An entity's risk: score, level, the rules behind it, and its tags",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(RiskSchema, "The risk"), ...commonErrors, ...notFoundError },
});

/** Mounted before the rule routes: `/v1/rules/evaluations` and `/v1/rules/risk-levels` are not rule ids. */
export const evaluationRoutes = createRouter()
  .openapi(evaluations, async (c) => {
    const { limit, cursor, matched, ...filters } = c.req.valid("query");
    const query = { ...filters, limit, matched: matched === undefined ? undefined : matched === "true" };
    return c.json(await paged(c, cursor, (token) => listEvaluations(c.get("db"), c.get("caller").orgId, { ...query, cursor: decodeCursor(token) })), 200);
  })
  .openapi(getLevels, async (c) => c.json(await getThresholds(c.get("db"), c.get("caller").orgId), 200))
  .openapi(putLevels, async (c) => c.json(await putThresholds(c.get("db"), c.get("caller"), c.req.valid("json")), 200))
  .openapi(evaluateNow, async (c) =>
    c.json(await evaluateEntityNow(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, (work) => c.executionCtx.waitUntil(work)), 200),
  )
  .openapi(risk, async (c) => c.json(await entityRisk(c.get("db"), c.get("caller").orgId, c.req.valid("param").id), 200));
