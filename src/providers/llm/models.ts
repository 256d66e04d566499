import type { LlmProvider, StructuredChannel } from "./types";

/**
 * The built-in model and price table: data only (keys, names, USD per million tokens, limits, structured-output
 * channel). Prices drift; change them here, date them below, and let organizations override per model
 * (model-catalog.ts). Sources: the providers' public price pages as of PRICES_AS_OF.
 */
export const PRICES_AS_OF = "2025-11";

export interface ModelEntry {
  provider: LlmProvider;
  /** The provider's API model id. */
  model: string;
  displayName: string;
  /** USD per million tokens. Cached input / cache write default to the input price when unknown. */
  inputPerMTok: number;
  cachedInputPerMTok?: number;
  cacheWritePerMTok?: number;
  outputPerMTok: number;
  contextLength: number;
  maxOutputTokens: number;
  structured: StructuredChannel;
}

const openai = (model: string, displayName: string, p: [number, number, number], contextLength: number, maxOutputTokens: number): ModelEntry => ({
  provider: "openai",
  model,
  displayName,
  inputPerMTok: p[0],
  cachedInputPerMTok: p[1],
  outputPerMTok: p[2],
  contextLength,
  maxOutputTokens,
  structured: "json_schema_strict",
});

const claude = (model: string, displayName: string, p: [number, number, number, number], maxOutputTokens: number, structured: StructuredChannel): ModelEntry => ({
  provider: "anthropic",
  model,
  displayName,
  inputPerMTok: p[0],
  cachedInputPerMTok: p[1],
  cacheWritePerMTok: p[2],
  outputPerMTok: p[3],
  contextLength: 200_000,
  maxOutputTokens,
  structured,
});

const gemini = (model: string, displayName: string, p: [number, number, number], maxOutputTokens: number): ModelEntry => ({
  provider: "google",
  model,
  displayName,
  inputPerMTok: p[0],
  cachedInputPerMTok: p[1],
  outputPerMTok: p[2],
  contextLength: 1_048_576,
  maxOutputTokens,
  structured: "json_schema",
});

export const MODELS: readonly ModelEntry[] = [
  openai("gpt-4o", "GPT-4o", [2.5, 1.25, 10], 128_000, 16_384),
  openai("gpt-4o-mini", "GPT-4o mini", [0.15, 0.075, 0.6], 128_000, 16_384),
  openai("gpt-4.1", "GPT-4.1", [2, 0.5, 8], 1_047_576, 32_768),
  openai("gpt-4.1-mini", "GPT-4.1 mini", [0.4, 0.1, 1.6], 1_047_576, 32_768),
  openai("gpt-4.1-nano", "GPT-4.1 nano", [0.1, 0.025, 0.4], 1_047_576, 32_768),
  openai("gpt-5", "GPT-5", [1.25, 0.125, 10], 400_000, 128_000),
  openai("gpt-5-mini", "GPT-5 mini", [0.25, 0.025, 2], 400_000, 128_000),
  openai("gpt-5-nano", "GPT-5 nano", [0.05, 0.005, 0.4], 400_000, 128_000),
  claude("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", [3, 0.3, 3.75, 15], 64_000, "json_schema"),
  claude("claude-haiku-4-5-20251001", "Claude Haiku 4.5", [1, 0.1, 1.25, 5], 64_000, "json_schema"),
  claude("claude-opus-4-5-20251101", "Claude Opus 4.5", [5, 0.5, 6.25, 25], 64_000, "json_schema"),
  claude("claude-opus-4-1-20250805", "Claude Opus 4.1", [15, 1.5, 18.75, 75], 32_000, "tool"),
  claude("claude-sonnet-4-20250514", "Claude Sonnet 4", [3, 0.3, 3.75, 15], 64_000, "tool"),
  claude("claude-3-5-haiku-20241022", "Claude Haiku 3.5", [0.8, 0.08, 1, 4], 8_192, "tool"),
  gemini("gemini-2.5-pro", "Gemini 2.5 Pro", [1.25, 0.125, 10], 65_536),
  gemini("gemini-2.5-flash", "Gemini 2.5 Flash", [0.3, 0.03, 2.5], 65_536),
  gemini("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", [0.1, 0.01, 0.4], 65_536),
  gemini("gemini-2.0-flash", "Gemini 2.0 Flash", [0.1, 0.025, 0.4], 8_192),
  {
    provider: "deepseek",
    model: "deepseek-chat",
    displayName: "DeepSeek V3 (chat)",
    inputPerMTok: 0.28,
    cachedInputPerMTok: 0.028,
    outputPerMTok: 0.42,
    contextLength: 128_000,
    maxOutputTokens: 8_192,
    structured: "json_mode",
  },
  {
    provider: "deepseek",
    model: "deepseek-reasoner",
    displayName: "DeepSeek V3 (reasoner)",
    inputPerMTok: 0.28,
    cachedInputPerMTok: 0.028,
    outputPerMTok: 0.42,
    contextLength: 128_000,
    maxOutputTokens: 65_536,
    structured: "json_mode",
  },
  {
    provider: "workers-ai",
    model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
    displayName: "Llama 3.3 70B (Workers AI)",
    inputPerMTok: 0.293,
    outputPerMTok: 2.253,
    contextLength: 24_000,
    maxOutputTokens: 4_096,
    structured: "json_schema",
  },
  {
    provider: "workers-ai",
    model: "@cf/meta/llama-3.1-8b-instruct-fp8-fast",
    displayName: "Llama 3.1 8B (Workers AI)",
    inputPerMTok: 0.045,
    outputPerMTok: 0.384,
    contextLength: 32_000,
    maxOutputTokens: 4_096,
    structured: "json_mode",
  },
];

/**
 * Keys that are not real model ids but appear in the products' documents or are the providers' own
 * undated aliases, mapped to the real model's key.
 */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  // The Entity Enricher documents use this key; the real Sonnet 4.5 snapshot is dated 2025-09-29.
  "anthropic::claude-sonnet-4-5-20250514": "anthropic::claude-sonnet-4-5-20250929",
  "anthropic::claude-sonnet-4-5": "anthropic::claude-sonnet-4-5-20250929",
  "anthropic::claude-haiku-4-5": "anthropic::claude-haiku-4-5-20251001",
  "anthropic::claude-opus-4-5": "anthropic::claude-opus-4-5-20251101",
  "anthropic::claude-opus-4-1": "anthropic::claude-opus-4-1-20250805",
  "anthropic::claude-sonnet-4-0": "anthropic::claude-sonnet-4-20250514",
  "anthropic::claude-3-5-haiku-latest": "anthropic::claude-3-5-haiku-20241022",
};
