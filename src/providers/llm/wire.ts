import type { ProviderFailure } from "./llm-errors";
import type { WireAnswer } from "./post-json";
import type { ChatTurn, FinishReason, LlmClientConfig, LlmRequest, LlmUsage, StructuredChannel } from "./types";

export interface WireRequest {
  url: URL;
  /** Credentials live here only; `body` is safe to store. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface WireReading {
  /** The text that holds the JSON (tool use: the tool input, serialized). */
  text: string;
  /** Set when the provider hands over an object directly (tool use, Workers AI). */
  object?: Record<string, unknown>;
  finishReason: FinishReason;
  /** The provider's explanation when it refused or filtered. */
  refusal?: string;
  usage: LlmUsage;
  model: string;
}

/** One provider's wire format: how to ask, how to read a success, how to read a failure. */
export interface WireFormat {
  request(config: LlmClientConfig, req: LlmRequest, channel: StructuredChannel, turns: ChatTurn[]): WireRequest;
  read(body: unknown, req: LlmRequest): WireReading;
  failure(answer: WireAnswer): ProviderFailure;
}

const utf8 = new TextEncoder();

/** For servers that send no usage: 4 bytes a token, flagged as an estimate. */
export function estimatedUsage(prompt: string, output: string): LlmUsage {
  return {
    inputTokens: Math.ceil(utf8.encode(prompt).byteLength / 4),
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: Math.ceil(utf8.encode(output).byteLength / 4),
    reasoningTokens: 0,
    estimated: true,
  };
}

/** A non-negative integer from untyped JSON, else 0. */
export const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export function joinBase(base: string, path: string): URL {
  return new URL(`${base.replace(/\/+$/, "")}${path}`);
}
