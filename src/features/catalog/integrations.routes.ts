import { createRoute, z } from "@hono/zod-openapi";
import { notFound } from "../../platform/errors";
import { boundedJson, freeFormObject } from "../../platform/lib/json-limits";
import { authorize } from "../tenancy";
import { commonErrors, createRouter, jsonBody, jsonResponse } from "../../platform/http/openapi";
import { catalogFor } from "./catalog";
import type { Integration } from "../../providers/types";
import {
  type IntegrationSettingsRow,
  credentialNamesOf,
  hasCredentials,
  isEnabled,
  publicConfig,
  saveIntegrationSettings,
  settingsByCode,
} from "./settings";
import { ENTITY_TYPES } from "../../domain/attributes";

const IntegrationSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    description: z.string(),
    entityTypes: z.array(z.enum(ENTITY_TYPES)),
    inputs: z.array(z.array(z.string())).openapi({ description: "Alternatives: every attribute of at least one set is needed" }),
    outputs: z.array(z.string()),
    credits: z.number().int(),
    costCents: z.number(),
    timeoutMs: z.number().int(),
    maxConcurrency: z.number().int(),
    cacheTtlSeconds: z.number().int().nullable(),
    cacheScope: z.enum(["global", "organization"]).nullable(),
    credentialNames: z.array(z.string()),
    enabled: z.boolean(),
    credentialsConfigured: z.boolean(),
    config: z.record(z.string(), z.unknown()),
  })
  .openapi("Integration");

function present(integration: Integration, row: IntegrationSettingsRow | undefined) {
  return {
    code: integration.code,
    name: integration.name,
    description: integration.description,
    entityTypes: integration.entityTypes,
    inputs: integration.inputs,
    outputs: integration.outputs,
    credits: integration.credits,
    costCents: integration.costCents,
    timeoutMs: integration.timeoutMs,
    maxConcurrency: integration.maxConcurrency,
    cacheTtlSeconds: integration.cache?.ttlSeconds ?? null,
    cacheScope: integration.cache?.scope ?? null,
    credentialNames: integration.credentialNames,
    enabled: isEnabled(integration, row),
    credentialsConfigured: integration.credentialNames.length > 0 && hasCredentials(integration, row, credentialNamesOf(row)),
    // Rows saved before the JSON limit existed may be nested deeper than any request may now send.
    config: boundedJson(publicConfig(row)),
  };
}

const list = createRoute({
  method: "get",
  path: "/v1/integrations",
  tags: ["Integrations"],
  summary: "The integration catalog with this organization's settings",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(IntegrationSchema) }), "Every integration"), ...commonErrors },
});

const PutIntegrationBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    config: freeFormObject()
      .optional()
      .openapi({ description: "The integration's settings (see its catalog entry)", example: { baseUrl: "https://lookup.example.com" } }),
    credentials: z
      .record(z.string().min(1).max(100), z.string().min(1).max(4096))
      .nullable()
      .optional()
      .openapi({ description: "Encrypted at rest and never returned; null removes them", example: { apiKey: "your-provider-api-key" } }),
  })
  .openapi("PutIntegration");

const put = createRoute({
  method: "put",
  path: "/v1/integrations/{code}",
  tags: ["Integrations"],
  summary: "Enable, disable or configure an integration (admin)",
  middleware: [authorize("admin")] as const,
  request: {
    params: z.object({ code: z.string().max(100).openapi({ param: { name: "code", in: "path" } }) }),
    body: jsonBody(PutIntegrationBody),
  },
  responses: { 200: jsonResponse(IntegrationSchema, "The integration with its new settings"), ...commonErrors },
});

export const integrationRoutes = createRouter()
  .openapi(list, async (c) => {
    const db = c.get("db");
    const { orgId } = c.get("caller");
    const [catalog, rows] = await Promise.all([catalogFor(db, orgId), settingsByCode(db, orgId)]);
    return c.json({ data: [...catalog.values()].map((i) => present(i, rows.get(i.code))) }, 200);
  })
  .openapi(put, async (c) => {
    const db = c.get("db");
    const caller = c.get("caller");
    const { code } = c.req.valid("param");
    const integration = (await catalogFor(db, caller.orgId)).get(code);
    if (!integration) throw notFound("Integration");
    const row = await saveIntegrationSettings(db, c.get("settings"), caller, integration, c.req.valid("json"));
    return c.json(present(integration, row), 200);
  });
