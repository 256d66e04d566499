import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "../../../platform/http/openapi";
import { llmOptions } from "../../llm";
import { authorize } from "../../tenancy";
import { entityEnricher } from "./product";
import { snakeKeys } from "./snake-case";

const OptionsSchema = z
  .object({
    models: z.array(
      z.object({
        key: z.string().openapi({ description: "`provider::model`: what `models` and `arbitration_model` take", example: "anthropic::claude-sonnet-4-5-20250514" }),
        provider: z.string(),
        model: z.string(),
        display_name: z.string(),
        input_price_per_m_tok: z.number().openapi({ description: "USD per million input tokens" }),
        output_price_per_m_tok: z.number(),
        supports_structured_output: z.boolean(),
        available: z.boolean().openapi({ description: "Its provider is configured and enabled for this organization" }),
      }),
    ),
    languages: z.array(z.object({ code: z.string(), name: z.string() })),
    strategies: z.array(z.object({ name: z.string(), description: z.string() })),
    default_models: z.array(z.string()),
  })
  .openapi("EntityEnricherOptions");

const route = createRoute({
  method: "get",
  path: "/api/enrichment/options",
  tags: [entityEnricher.tag],
  summary: "Available models, languages, and strategies",
  description: "GET /v1/llm/options in snake_case: every model with its key, prices and whether this organization can run it, the languages, the strategies, the default models and the limits.",
  middleware: [entityEnricher.served, authorize("viewer")] as const,
  responses: { 200: jsonResponse(OptionsSchema, "What an enrichment can use") },
});

export const optionsRoutes = createRouter().openapi(route, async (c) =>
  c.json(snakeKeys(await llmOptions(c.get("db"), c.get("settings"), c.get("caller").orgId), new Set()) as z.infer<typeof OptionsSchema>, 200),
);
