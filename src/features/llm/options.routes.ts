import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, createRouter, jsonResponse } from "../../platform/http/openapi";
import { authorize } from "../tenancy";
import { llmOptions } from "./options";

const OptionsSchema = z
  .object({
    models: z.array(
      z.object({
        key: z.string().openapi({ example: "openai::gpt-4o-mini" }),
        provider: z.string(),
        model: z.string(),
        displayName: z.string(),
        inputPricePerMTok: z.number().openapi({ description: "USD per million input tokens" }),
        cachedInputPricePerMTok: z.number(),
        outputPricePerMTok: z.number(),
        contextLength: z.number().int().nullable(),
        maxOutputTokens: z.number().int().nullable(),
        structuredOutput: z.enum(["json_schema_strict", "json_schema", "tool", "json_mode"]),
        supportsStructuredOutput: z.boolean(),
        priceSource: z.enum(["builtin", "override"]),
        available: z.boolean().openapi({ description: "Its provider is configured and enabled for this organization" }),
      }),
    ),
    languages: z.array(z.object({ code: z.string(), name: z.string() })),
    strategies: z.array(z.object({ name: z.string(), description: z.string() })),
    defaultModels: z.array(z.string()),
    creditValueUsd: z.string(),
    pricesAsOf: z.string(),
    limits: z.object({ maxModels: z.number().int(), maxEntitiesPerJob: z.number().int(), maxSchemaDepth: z.number().int(), maxSchemaProperties: z.number().int() }),
  })
  .openapi("LlmOptions");

const options = createRoute({
  method: "get",
  path: "/v1/llm/options",
  tags: ["LLM"],
  summary: "Models (prices, limits, availability), languages, strategies and default models",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(OptionsSchema, "What an LLM enrichment can use"), ...commonErrors },
});

export const optionsRoutes = createRouter().openapi(options, async (c) => c.json(await llmOptions(c.get("db"), c.get("settings"), c.get("caller").orgId), 200));
