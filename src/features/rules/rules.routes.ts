import { createRoute, z } from "@hono/zod-openapi";
import { RULE_EVENTS, RULE_STATUSES } from "../../db/schema/rules";
import { ENTITY_TYPES } from "../../domain/attributes";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, conflictError, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize, idParam } from "../tenancy";
import { testRule } from "./manual";
import { CreateRuleBody, PatchRuleBody, RuleSchema, RuleVersionSchema, TestResultSchema, TestRuleBody } from "./schemas";
import { archiveRule, createRule, getRule, listRules, listVersions, presentRule, updateRule } from "./store";

const tags = ["Rules"];

const create = createRoute({
  method: "post",
  path: "/v1/rules",
  tags,
  summary: "Create a rule (admin); a bad rule is a 400 naming each failing field",
  middleware: [authorize("admin"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(CreateRuleBody) },
  responses: { 201: jsonResponse(RuleSchema, "Created (version 1)"), ...commonErrors, ...unprocessableError },
});

const list = createRoute({
  method: "get",
  path: "/v1/rules",
  tags,
  summary: "List rules, newest first",
  middleware: [authorize("viewer")] as const,
  request: {
    query: paginationQuery.extend({
      status: z.enum(RULE_STATUSES).optional(),
      event: z.enum(RULE_EVENTS).optional(),
      entityType: z.enum(ENTITY_TYPES).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(RuleSchema), "A page of rules"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/rules/{id}",
  tags,
  summary: "Get a rule",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(RuleSchema, "The rule"), ...commonErrors, ...notFoundError },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/rules/{id}",
  tags,
  summary: "Change a rule (admin): every change is a new version",
  middleware: [authorize("admin")] as const,
  request: { params: idParam, body: jsonBody(PatchRuleBody) },
  responses: { 200: jsonResponse(RuleSchema, "The rule, its version bumped when anything changed"), ...commonErrors, ...notFoundError, ...conflictError },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/rules/{id}",
  tags,
  summary: "Archive a rule (admin); its versions, evaluations and alerts stay",
  middleware: [authorize("admin")] as const,
  request: { params: idParam },
  responses: { 204: { description: "Archived" }, ...commonErrors, ...notFoundError, ...conflictError },
});

const versions = createRoute({
  method: "get",
  path: "/v1/rules/{id}/versions",
  tags,
  summary: "A rule's versions, newest first",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam, query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(RuleVersionSchema), "A page of versions"), ...commonErrors, ...notFoundError },
});

const test = createRoute({
  method: "post",
  path: "/v1/rules/{id}/test",
  tags,
  summary: "Evaluate a rule against an entity or given facts, with its trace; nothing is stored or done",
  middleware: [authorize("member")] as const,
  request: { params: idParam, body: jsonBody(TestRuleBody) },
  responses: { 200: jsonResponse(TestResultSchema, "The verdict and its trace"), ...commonErrors, ...notFoundError },
});

export const ruleRoutes = createRouter()
  .openapi(create, async (c) => c.json(presentRule(await createRule(c.get("db"), c.get("caller"), c.req.valid("json"))), 201))
  .openapi(list, async (c) => {
    const { limit, cursor, ...filters } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listRules(c.get("db"), c.get("caller").orgId, { ...filters, limit, cursor: decodeCursor(token) })), 200);
  })
  .openapi(get, async (c) => c.json(presentRule(await getRule(c.get("db"), c.get("caller").orgId, c.req.valid("param").id)), 200))
  .openapi(patch, async (c) => {
    const db = c.get("db");
    const caller = c.get("caller");
    const existing = await getRule(db, caller.orgId, c.req.valid("param").id);
    return c.json(presentRule(await updateRule(db, caller, existing, c.req.valid("json"))), 200);
  })
  .openapi(remove, async (c) => {
    await archiveRule(c.get("db"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(versions, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const id = c.req.valid("param").id;
    return c.json(await paged(c, cursor, (token) => listVersions(c.get("db"), c.get("caller").orgId, id, limit, decodeCursor(token))), 200);
  })
  .openapi(test, async (c) => c.json(await testRule(c.get("db"), c.get("caller").orgId, c.req.valid("param").id, c.req.valid("json")), 200));
