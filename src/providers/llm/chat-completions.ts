import { asRecord, asString } from "../adapters/provider-call";
import type { ProviderFailure } from "./llm-errors";
import type { WireAnswer } from "./post-json";
import { describeSchemaForPrompt, plainSchema, toOpenAiStrict } from "./schema-dialect";
import type { FinishReason, LlmClientConfig, LlmProvider, LlmUsage } from "./types";
import { count, estimatedUsage, joinBase, type WireFormat } from "./wire";

/** Official base URLs (as the providers' SDKs have them); `config.baseUrl` overrides each. */
const BASE: Partial<Record<LlmProvider, string>> = {
  openai: "https://api.openai.com/v1",
  deepseek: "https://api.deepseek.com",
  "workers-ai": "https://api.cloudflare.com",
};

/** OpenAI error codes (and DeepSeek/compatible equivalents) that mean "out of credit", not "slow down". */
const QUOTA_CODES = new Set(["insufficient_quota", "billing_hard_limit_reached", "credit_balance_exhausted", "organization_spend_limit_exceeded"]);
/** Workers AI: 3036 = the daily free allocation is used up (until 00:00 UTC). */
const WORKERS_AI_QUOTA = 3036;

function urlOf(config: LlmClientConfig): URL {
  if (config.provider === "workers-ai") {
    const account = encodeURIComponent(config.accountId ?? "");
    return joinBase(config.baseUrl ?? (BASE["workers-ai"] as string), `/client/v4/accounts/${account}/ai/v1/chat/completions`);
  }
  const base = config.baseUrl ?? BASE[config.provider];
  if (!base) throw new Error(`Provider ${config.provider} needs a baseUrl`);
  return joinBase(base, "/chat/completions");
}

function finishOf(reason: unknown, refusal: string | undefined): FinishReason {
  if (refusal) return "refusal";
  if (reason === "length") return "length";
  if (reason === "content_filter") return "filtered";
  if (reason === "tool_calls" || reason === "function_call") return "tool_use";
  return reason === "stop" || reason === undefined || reason === null ? "stop" : "other";
}

/** OpenAI: cached ⊂ prompt, reasoning ⊂ completion. DeepSeek: prompt = cache hit + cache miss. */
function usageOf(raw: Record<string, unknown>): LlmUsage {
  const prompt = count(raw.prompt_tokens);
  const details = asRecord(raw.prompt_tokens_details);
  const hit = raw.prompt_cache_hit_tokens;
  const cached = hit === undefined ? count(details.cached_tokens) : count(hit);
  const cacheWrite = count(details.cache_write_tokens);
  return {
    inputTokens: Math.max(0, prompt - cached - cacheWrite),
    cachedInputTokens: cached,
    cacheWriteTokens: cacheWrite,
    outputTokens: count(raw.completion_tokens),
    reasoningTokens: count(asRecord(raw.completion_tokens_details).reasoning_tokens),
  };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => asString(asRecord(p).text) ?? "").join("");
  return "";
}

/**
 * Chat Completions, as OpenAI, DeepSeek, Workers AI's OpenAI-compatible endpoint, Ollama, vLLM and LM Studio speak it.
 * Channels: `json_schema_strict` (OpenAI strict dialect), `json_schema` (the plain schema, not strict), otherwise
 * `json_object` with the schema described in the system prompt.
 */
export const chatCompletions: WireFormat = {
  request(config, req, channel, turns) {
    const jsonMode = channel !== "json_schema_strict" && channel !== "json_schema";
    const system = jsonMode ? `${req.system}\n\n${describeSchemaForPrompt(req.jsonSchema)}` : req.system;
    const responseFormat = jsonMode
      ? { type: "json_object" }
      : {
          type: "json_schema",
          json_schema: {
            name: req.schemaName,
            strict: channel === "json_schema_strict",
            schema: channel === "json_schema_strict" ? toOpenAiStrict(req.jsonSchema) : plainSchema(req.jsonSchema),
          },
        };
    const body: Record<string, unknown> = {
      model: req.model,
      messages: [{ role: "system", content: system }, { role: "user", content: req.user }, ...turns],
      response_format: responseFormat,
      // OpenAI deprecated max_tokens (o-series refuse it); the compatible servers know max_tokens.
      ...(config.provider === "openai" ? { max_completion_tokens: req.maxOutputTokens, store: false } : { max_tokens: req.maxOutputTokens }),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      stream: false,
    };
    const headers: Record<string, string> = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
    return { url: urlOf(config), headers, body };
  },

  read(body, req) {
    const root = asRecord(body);
    const choice = asRecord(Array.isArray(root.choices) ? root.choices[0] : undefined);
    const message = asRecord(choice.message);
    const refusal = asString(message.refusal);
    const text = textOf(message.content);
    const usage = root.usage === undefined ? estimatedUsage(req.system + req.user, text) : usageOf(asRecord(root.usage));
    return { text, finishReason: finishOf(choice.finish_reason, refusal), refusal, usage, model: asString(root.model) ?? req.model };
  },

  failure(answer: WireAnswer): ProviderFailure {
    const root = asRecord(answer.body);
    const error = asRecord(root.error);
    const cfErrors = Array.isArray(root.errors) ? root.errors.map(asRecord) : [];
    const codes = [asString(error.code), asString(error.type)].filter((c): c is string => c !== undefined);
    const message =
      asString(error.message) ?? cfErrors.map((e) => `${String(e.code ?? "")} ${asString(e.message) ?? ""}`.trim()).join("; ") ?? answer.text.slice(0, 300);
    return {
      status: answer.status,
      headers: answer.headers,
      message: message || answer.text.slice(0, 300),
      quotaExhausted: codes.some((c) => QUOTA_CODES.has(c)) || cfErrors.some((e) => e.code === WORKERS_AI_QUOTA),
    };
  },
};
