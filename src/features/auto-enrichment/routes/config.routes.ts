import { createRoute } from "@hono/zod-openapi";
import { paged, paginationQuery } from "../../../platform/http/pagination";
import { ApiError } from "../../../platform/errors";
import { commonErrors, conflictError, createRouter, jsonBody, jsonResponse } from "../../../platform/http/openapi";
import { authorize } from "../../tenancy";
import { getConfig, listConfigVersions, patchConfig, presentConfig, replaceConfig } from "../config/store";
import { AutoConfigInput, AutoConfigPatch, AutoConfigSchema, VersionPage } from "../schemas";

const tags = ["Auto-enrichment"];
const path = "/v1/auto-enrichment/config";

const get = createRoute({
  method: "get",
  path,
  tags,
  summary: "The auto-enrichment configuration (defaults until saved; off by default)",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(AutoConfigSchema, "The configuration and its version"), ...commonErrors },
});

const put = createRoute({
  method: "put",
  path,
  tags,
  summary: "Replace the configuration (omitted fields take their defaults)",
  description:
    "Validated whole: unknown integration codes, groups, attributes or enriched fields are a 400 naming the path. Sending `version` makes the save conditional (409 if it changed). Audited with the configuration before and after.",
  middleware: [authorize("admin")] as const,
  request: { body: jsonBody(AutoConfigInput) },
  responses: { 200: jsonResponse(AutoConfigSchema, "Saved as a new version"), ...commonErrors, ...conflictError },
});

const patch = createRoute({
  method: "patch",
  path,
  tags,
  summary: "Change part of the configuration (JSON merge patch)",
  middleware: [authorize("admin")] as const,
  request: { body: jsonBody(AutoConfigPatch) },
  responses: { 200: jsonResponse(AutoConfigSchema, "Saved as a new version"), ...commonErrors, ...conflictError },
});

const versions = createRoute({
  method: "get",
  path: `${path}/versions`,
  tags,
  summary: "Every saved version of the configuration, newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(VersionPage, "A page of versions"), ...commonErrors },
});

const asObject = (body: unknown): Record<string, unknown> => {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ApiError("VALIDATION_ERROR", "The body must be a JSON object", { details: [{ path: "", message: "Expected an object" }] });
  return body as Record<string, unknown>;
};

export const configRoutes = createRouter()
  .openapi(get, async (c) => c.json(presentConfig(await getConfig(c.get("db"), c.get("caller").orgId)), 200))
  .openapi(put, async (c) => c.json(presentConfig(await replaceConfig(c.get("db"), c.get("caller"), c.req.valid("json"))), 200))
  .openapi(patch, async (c) => c.json(presentConfig(await patchConfig(c.get("db"), c.get("caller"), asObject(c.req.valid("json")))), 200))
  .openapi(versions, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const before = (token: string | undefined) => (token && /^\d{1,9}$/.test(token) ? Number(token) : undefined);
    return c.json(await paged(c, cursor, (token) => listConfigVersions(c.get("db"), c.get("caller").orgId, limit, before(token))), 200);
  });
