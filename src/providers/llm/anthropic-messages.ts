import { asRecord, asString } from "../adapters/provider-call";
import type { ProviderFailure } from "./llm-errors";
import type { WireAnswer } from "./post-json";
import { toAnthropicOutput, toAnthropicTool } from "./schema-dialect";
import type { FinishReason, LlmUsage } from "./types";
import { count, joinBase, type WireFormat } from "./wire";

const BASE = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";

function finishOf(reason: unknown): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "tool_use":
      return "tool_use";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "refusal";
    default:
      return "other";
  }
}

/** Anthropic's cache buckets are additive to `input_tokens`, which is already the uncached part. */
function usageOf(raw: Record<string, unknown>): LlmUsage {
  return {
    inputTokens: count(raw.input_tokens),
    cachedInputTokens: count(raw.cache_read_input_tokens),
    cacheWriteTokens: count(raw.cache_creation_input_tokens),
    outputTokens: count(raw.output_tokens),
    reasoningTokens: 0,
  };
}

/**
 * Anthropic Messages. `json_schema`: GA structured outputs (`output_config.format`), the JSON comes back as text.
 * Any other channel: forced tool use (`tool_choice: {type: "tool"}`), the JSON comes back as the tool's input.
 */
export const anthropicMessages: WireFormat = {
  request(config, req, channel, turns) {
    const structured =
      channel === "json_schema" || channel === "json_schema_strict"
        ? { output_config: { format: { type: "json_schema", schema: toAnthropicOutput(req.jsonSchema) } } }
        : {
            tools: [{ name: req.schemaName, description: "Record the requested data about the entity.", input_schema: toAnthropicTool(req.jsonSchema) }],
            tool_choice: { type: "tool", name: req.schemaName },
          };
    const body: Record<string, unknown> = {
      model: req.model,
      max_tokens: req.maxOutputTokens,
      system: req.system,
      messages: [{ role: "user", content: req.user }, ...turns],
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...structured,
    };
    return {
      url: joinBase(config.baseUrl ?? BASE, "/v1/messages"),
      headers: { "x-api-key": config.apiKey ?? "", "anthropic-version": ANTHROPIC_VERSION },
      body,
    };
  },

  read(body, req) {
    const root = asRecord(body);
    const blocks = Array.isArray(root.content) ? root.content.map(asRecord) : [];
    const tool = blocks.find((b) => b.type === "tool_use");
    const toolInput = tool && asRecord(tool.input);
    const text = toolInput ? JSON.stringify(toolInput) : blocks.map((b) => (b.type === "text" ? (asString(b.text) ?? "") : "")).join("");
    const finishReason = finishOf(root.stop_reason);
    return {
      text,
      object: toolInput,
      finishReason: finishReason === "tool_use" ? "stop" : finishReason,
      refusal: finishReason === "refusal" ? text || "The model declined to answer" : undefined,
      usage: usageOf(asRecord(root.usage)),
      model: asString(root.model) ?? req.model,
    };
  },

  failure(answer: WireAnswer): ProviderFailure {
    const error = asRecord(asRecord(answer.body).error);
    const type = asString(error.type);
    const message = [type, asString(error.message)].filter(Boolean).join(": ");
    const spendLimit = asString(asRecord(error.details).error_code) === "enforced_spend_limit_reached";
    return {
      status: answer.status,
      headers: answer.headers,
      message: message || answer.text.slice(0, 300),
      quotaExhausted: spendLimit || type === "billing_error",
      overloaded: type === "overloaded_error",
    };
  },
};
