import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, createRouter, jsonBody, jsonResponse, notFoundError } from "../../../platform/http/openapi";
import { authorize } from "../../tenancy";
import { deleteProvider, listProviders, presentProvider, saveProvider } from "./provider-settings";

const tags = ["LLM"];

/** A price in USD per million tokens: at most 6 decimals, so it converts to whole micro-USD exactly. */
const price = z
  .number()
  .min(0)
  .max(10_000)
  .refine((v) => Math.abs(v * 1e6 - Math.round(v * 1e6)) < 1e-6, "At most 6 decimals");

const ProviderModelSchema = z
  .strictObject({
    model: z.string().min(1).max(200).regex(/^\S+$/, "No spaces").openapi({ example: "llama3.1:8b" }),
    displayName: z.string().min(1).max(200).optional(),
    inputPerMTok: price.openapi({ description: "USD per million input tokens", example: 0.1 }),
    outputPerMTok: price.openapi({ description: "USD per million output tokens", example: 0.2 }),
    cachedInputPerMTok: price.optional(),
    contextLength: z.number().int().min(1).max(10_000_000).optional(),
    maxOutputTokens: z.number().int().min(16).max(1_000_000).optional(),
    structuredOutput: z.boolean().optional().openapi({ description: "true: the server honours a JSON schema (json_schema); false (default for compatible servers): JSON mode with the schema in the prompt" }),
  })
  .openapi("LlmProviderModel");

const PutProviderBody = z
  .strictObject({
    apiKey: z.string().min(1).max(4096).nullable().optional().openapi({ description: "Sealed at rest and never returned; null removes it", example: "sk-your-key" }),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .optional()
      .openapi({ description: "Instead of the official endpoint; required for an OpenAI-compatible server (e.g. http://host:11434/v1 for Ollama)", example: "https://llm.example.com/v1" }),
    accountId: z.string().min(1).max(100).nullable().optional().openapi({ description: "workers-ai only: the Cloudflare account id" }),
    enabled: z.boolean().optional(),
    models: z.array(ProviderModelSchema).max(100).optional().openapi({ description: "This organization's models and prices: they win over the built-in table; an OpenAI-compatible server's models are listed here" }),
    maxConcurrency: z.number().int().min(1).max(200).nullable().optional().openapi({ description: "Most calls to one of its models in flight per job (default 16)" }),
  })
  .openapi("PutLlmProvider", {
    example: { baseUrl: "https://llm.example.com/v1", models: [{ model: "llama3.1:8b", inputPerMTok: 0, outputPerMTok: 0, structuredOutput: true }] },
  });

export const ProviderSchema = z
  .object({
    provider: z.string().openapi({ description: "The name model keys use: `<provider>::<model>`" }),
    type: z.string().openapi({ description: "The wire it speaks: openai, anthropic, google, deepseek, workers-ai or openai_compatible" }),
    enabled: z.boolean(),
    configured: z.boolean().openapi({ description: "Its models can run: a key (the organization's or the operator's), and a base URL for a compatible server" }),
    credentialSource: z.enum(["organization", "operator"]).nullable(),
    apiKeyConfigured: z.boolean().openapi({ description: "The organization stored its own key (never returned)" }),
    baseUrl: z.string().nullable(),
    accountId: z.string().nullable(),
    models: z.array(ProviderModelSchema),
    maxConcurrency: z.number().int(),
    updatedAt: z.string().nullable(),
  })
  .openapi("LlmProvider");

const providerParam = z.object({
  provider: z
    .string()
    .max(40)
    .openapi({ param: { name: "provider", in: "path" }, description: "openai, anthropic, google, deepseek, workers-ai, or a name for an OpenAI-compatible server", example: "openai" }),
});

const list = createRoute({
  method: "get",
  path: "/v1/llm/providers",
  tags,
  summary: "LLM providers: the built-in ones and this organization's OpenAI-compatible servers, with whether each is configured",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(ProviderSchema) }), "Every provider"), ...commonErrors },
});

const put = createRoute({
  method: "put",
  path: "/v1/llm/providers/{provider}",
  tags,
  summary: "Configure an LLM provider, or name an OpenAI-compatible server (admin)",
  description:
    "A built-in name (openai, anthropic, google, deepseek, workers-ai) configures that provider: its key (else the operator's default is used), base URL, models and prices. Any other name is an OpenAI-compatible server (Ollama, vLLM, LM Studio) at `baseUrl`, whose models are listed in `models` and used as `<name>::<model>`. The base URL passes the outbound guard when saved and on every call.",
  middleware: [authorize("admin")] as const,
  request: { params: providerParam, body: jsonBody(PutProviderBody) },
  responses: {
    200: jsonResponse(ProviderSchema, "Updated"),
    201: jsonResponse(ProviderSchema, "Configured for the first time"),
    ...commonErrors,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/llm/providers/{provider}",
  tags,
  summary: "Remove this organization's settings for a provider (admin); a built-in one falls back to the operator's defaults",
  middleware: [authorize("admin")] as const,
  request: { params: providerParam },
  responses: { 204: { description: "Removed" }, ...commonErrors, ...notFoundError },
});

export const providerRoutes = createRouter()
  .openapi(list, async (c) => c.json({ data: (await listProviders(c.get("db"), c.get("settings"), c.get("caller").orgId)).map(presentProvider) }, 200))
  .openapi(put, async (c) => {
    const { access, created } = await saveProvider(c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("param").provider, c.req.valid("json"));
    return created ? c.json(presentProvider(access), 201) : c.json(presentProvider(access), 200);
  })
  .openapi(remove, async (c) => {
    await deleteProvider(c.get("db"), c.get("caller"), c.req.valid("param").provider);
    return c.body(null, 204);
  });
