import { asRecord, asString } from "../adapters/provider-call";
import type { ProviderFailure } from "./llm-errors";
import type { WireAnswer } from "./post-json";
import { toGemini } from "./schema-dialect";
import type { FinishReason, LlmUsage } from "./types";
import { count, joinBase, type WireFormat } from "./wire";

const BASE = "https://generativelanguage.googleapis.com/v1beta";

/** Finish reasons that mean the answer was withheld for safety or policy reasons. */
const BLOCKED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"]);

function finishOf(reason: unknown): FinishReason {
  if (reason === "STOP" || reason === undefined) return "stop";
  if (reason === "MAX_TOKENS") return "length";
  return typeof reason === "string" && BLOCKED.has(reason) ? "filtered" : "other";
}

/** Gemini's prompt count includes cached content; thinking tokens are billed as output. */
function usageOf(raw: Record<string, unknown>): LlmUsage {
  const cached = count(raw.cachedContentTokenCount);
  const thoughts = count(raw.thoughtsTokenCount);
  return {
    inputTokens: Math.max(0, count(raw.promptTokenCount) - cached) + count(raw.toolUsePromptTokenCount),
    cachedInputTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: count(raw.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
  };
}

/** A protobuf duration such as "37s" or "0.2s". */
function durationMs(v: unknown): number | undefined {
  const m = typeof v === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(v) : null;
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** Gemini `generateContent` with `responseMimeType: application/json` and `responseJsonSchema`. Key in `x-goog-api-key`. */
export const gemini: WireFormat = {
  request(config, req, _channel, turns) {
    const body: Record<string, unknown> = {
      systemInstruction: { parts: [{ text: req.system }] },
      contents: [
        { role: "user", parts: [{ text: req.user }] },
        ...turns.map((t) => ({ role: t.role === "assistant" ? "model" : "user", parts: [{ text: t.content }] })),
      ],
      generationConfig: {
        responseMimeType: "application/json",
        responseJsonSchema: toGemini(req.jsonSchema),
        maxOutputTokens: req.maxOutputTokens,
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      },
    };
    return {
      url: joinBase(config.baseUrl ?? BASE, `/models/${encodeURIComponent(req.model)}:generateContent`),
      headers: { "x-goog-api-key": config.apiKey ?? "" },
      body,
    };
  },

  read(body, req) {
    const root = asRecord(body);
    const usage = usageOf(asRecord(root.usageMetadata));
    const model = asString(root.modelVersion) ?? req.model;
    const candidate = Array.isArray(root.candidates) ? asRecord(root.candidates[0]) : undefined;
    const blockReason = asString(asRecord(root.promptFeedback).blockReason);
    if (!candidate) {
      return { text: "", finishReason: "filtered", refusal: `The prompt was blocked (${blockReason ?? "no candidates"})`, usage, model };
    }
    const parts = Array.isArray(asRecord(candidate.content).parts) ? (asRecord(candidate.content).parts as unknown[]).map(asRecord) : [];
    const text = parts.map((p) => (p.thought === true ? "" : (asString(p.text) ?? ""))).join("");
    const finishReason = finishOf(candidate.finishReason);
    return {
      text,
      finishReason,
      refusal: finishReason === "filtered" ? `Gemini withheld the answer (${String(candidate.finishReason)})` : undefined,
      usage,
      model,
    };
  },

  failure(answer: WireAnswer): ProviderFailure {
    const error = asRecord(asRecord(answer.body).error);
    const details = Array.isArray(error.details) ? error.details.map(asRecord) : [];
    const typed = (suffix: string) => details.find((d) => asString(d["@type"])?.endsWith(suffix));
    const violations = asRecord(typed("QuotaFailure")).violations;
    const perDay = Array.isArray(violations) && violations.some((v) => /PerDay/i.test(asString(asRecord(v).quotaId) ?? ""));
    const status = asString(error.status);
    return {
      status: answer.status,
      headers: answer.headers,
      message: [status, asString(error.message)].filter(Boolean).join(": ") || answer.text.slice(0, 300),
      quotaExhausted: perDay,
      retryAfterMs: durationMs(asRecord(typed("RetryInfo")).retryDelay),
      authFailure: asString(asRecord(typed("ErrorInfo")).reason) === "API_KEY_INVALID",
    };
  },
};
