import type { SafeFetch } from "../../platform/lib/outbound-fetch";

/** A JSON Schema object as plain data (user schemas, provider dialects). */
export type JsonSchema = Record<string, unknown>;

export const LLM_PROVIDERS = ["openai", "anthropic", "google", "deepseek", "workers-ai", "openai_compatible"] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/**
 * How a model is asked for structured output, best first:
 * `json_schema_strict` (OpenAI strict), `json_schema` (schema enforced or honoured, not strict),
 * `tool` (Anthropic forced tool use), `json_mode` (`json_object`: the schema is described in the prompt).
 */
export type StructuredChannel = "json_schema_strict" | "json_schema" | "tool" | "json_mode";

export interface LlmRequest {
  /** The provider's model id (not the `provider::model` key). */
  model: string;
  system: string;
  /** The rendered user message; entity data inside it is delimited (see delimit.ts). */
  user: string;
  /** The user's schema (Dossier subset); each client converts it to its provider's dialect. */
  jsonSchema: JsonSchema;
  /** `[a-zA-Z0-9_-]{1,64}`; used as OpenAI's json_schema name and Anthropic's tool name. */
  schemaName: string;
  maxOutputTokens: number;
  temperature?: number;
}

/** Normalized so that one price formula fits every provider (see research llm.md §1.9). */
export interface LlmUsage {
  /** Uncached, billed input tokens. */
  inputTokens: number;
  /** Input tokens read from the provider's prompt cache (billed at the cached price). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's cache (Anthropic; billed at the cache-write price). */
  cacheWriteTokens: number;
  /** Billed output tokens, reasoning/thinking included. */
  outputTokens: number;
  /** The part of outputTokens spent on reasoning, when the provider reports it. */
  reasoningTokens: number;
  /** True when the provider sent no usage and the figures are estimated from bytes / 4. */
  estimated?: boolean;
}

export type FinishReason = "stop" | "length" | "refusal" | "filtered" | "tool_use" | "other";

/** One HTTP exchange with the provider (a call may have two: the answer and its repair). */
export interface LlmAttempt {
  /** What was sent, without credentials. */
  requestBody: unknown;
  /** The provider's parsed answer (or its text when it was not JSON). */
  rawResponse: unknown;
  usage: LlmUsage;
  /** Schema validation errors of this attempt's output, if any. */
  validationErrors: OutputValidationError[];
}

export interface LlmResult {
  /** The parsed, schema-valid output. */
  json: Record<string, unknown>;
  /** The model's text that held the JSON (for tool use, the tool input serialized). */
  text: string;
  /** Summed over every attempt of the call (repair included): what the provider billed. */
  usage: LlmUsage;
  finishReason: FinishReason;
  /** The model as the provider reports it (e.g. a dated snapshot). */
  model: string;
  channel: StructuredChannel;
  /** The last attempt's request body, without credentials. */
  requestBody: unknown;
  /** The last attempt's provider answer. */
  rawResponse: unknown;
  attempts: LlmAttempt[];
}

export interface OutputValidationError {
  /** JSON pointer into the output, e.g. `/address/zip`. */
  instancePath: string;
  message: string;
}

/** One conversation turn sent to a model (the repair attempt appends two). */
export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface LlmClientConfig {
  provider: LlmProvider;
  /** Overrides the provider's official base URL (a gateway, a self-hosted server, a test fake). */
  baseUrl?: string;
  /** Never logged, never stored: requests keep it in headers only. */
  apiKey?: string;
  /** workers-ai: the Cloudflare account id. */
  accountId?: string;
  /** How to ask this model for structured output; defaults per provider (see client.ts). */
  channel?: StructuredChannel;
  fetch: SafeFetch;
  signal?: AbortSignal;
}
