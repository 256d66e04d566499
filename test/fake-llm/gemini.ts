import type { IncomingMessage } from "node:http";
import type { FakeAnswer } from "../fake-provider/registry";
import { registerFakeRoute } from "../fake-provider/registry";
import { type HttpFault, exchange, type Outcome } from "./exchange";
import { hashOf, splitPath } from "./scenario";

/**
 * Gemini fake: POST /google[/~spec]/v1beta/models/{model}:generateContent with `x-goog-api-key`.
 * Errors as Google APIs send them (`{error:{code, message, status, details}}`), waits only in RetryInfo.
 */
const googleError = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, message, status, details } });
const RETRY = "type.googleapis.com/google.rpc.RetryInfo";
const QUOTA = "type.googleapis.com/google.rpc.QuotaFailure";

function fault(fail: HttpFault, model: string, delayMs: number): FakeAnswer {
  const answer = (status: number, body: unknown): FakeAnswer => ({ status, body, delayMs });
  const exceeded = "You exceeded your current quota, please check your plan and billing details.";
  switch (fail) {
    case "rate_limit":
    case "rate_limit_ms":
      return answer(
        429,
        googleError(429, "RESOURCE_EXHAUSTED", exceeded, [
          { "@type": QUOTA, violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }] },
          { "@type": RETRY, retryDelay: fail === "rate_limit" ? "2s" : "0.25s" },
        ]),
      );
    case "quota":
      return answer(
        429,
        googleError(429, "RESOURCE_EXHAUSTED", exceeded, [
          { "@type": QUOTA, violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" }] },
        ]),
      );
    case "overloaded":
      return answer(503, googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later."));
    case "auth":
      return answer(
        400,
        googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" },
        ]),
      );
    case "not_found":
      return answer(404, googleError(404, "NOT_FOUND", `models/${model} is not found for API version v1beta`));
    default:
      return answer(500, googleError(500, "INTERNAL", "An internal error has occurred."));
  }
}

function success(o: Extract<Outcome, { kind: "answer" }>): FakeAnswer {
  const { prompt, cached, output, thoughts } = o.usage;
  const usageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    ...(cached ? { cachedContentTokenCount: cached } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    totalTokenCount: prompt + output + thoughts,
  };
  const responseId = hashOf(o.text, o.model).toString(36);
  if (o.finish === "refusal") {
    return { status: 200, delayMs: o.delayMs, body: { promptFeedback: { blockReason: "SAFETY" }, usageMetadata, modelVersion: o.model, responseId } };
  }
  const parts = [...(thoughts ? [{ text: "Thinking about the entity…", thought: true }] : []), { text: o.text }];
  return {
    status: 200,
    delayMs: o.delayMs,
    body: {
      candidates: [{ content: { role: "model", parts }, finishReason: o.finish === "length" ? "MAX_TOKENS" : "STOP", index: 0 }],
      usageMetadata,
      modelVersion: o.model,
      responseId,
    },
  };
}

interface GenerateBody {
  systemInstruction?: { parts?: { text?: string }[] };
  contents?: { role?: string; parts?: { text?: string }[] }[];
  generationConfig?: { responseMimeType?: string; responseJsonSchema?: Record<string, unknown>; responseSchema?: Record<string, unknown> };
}

const partsText = (parts: { text?: string }[] | undefined) => (parts ?? []).map((p) => p.text ?? "").join("");

registerFakeRoute("google", (req: IncomingMessage, raw: string, url: URL): FakeAnswer => {
  const { spec, rest } = splitPath(url.pathname);
  const m = /^\/v1beta\/models\/([^/]+):generateContent$/.exec(rest);
  if (req.method !== "POST" || !m?.[1]) return { status: 404, body: googleError(404, "NOT_FOUND", `Not found: ${url.pathname}`) };
  const apiKey = req.headers["x-goog-api-key"];
  if (typeof apiKey !== "string" || apiKey === "") {
    return { status: 403, body: googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers. Please use API Key.") };
  }
  let body: GenerateBody;
  try {
    body = JSON.parse(raw) as GenerateBody;
  } catch {
    return { status: 400, body: googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.") };
  }
  const contents = body.contents ?? [];
  const system = partsText(body.systemInstruction?.parts);
  const o = exchange({
    provider: "google",
    rawModel: decodeURIComponent(m[1]),
    urlSpec: spec,
    system,
    user: partsText(contents.find((c) => c.role === "user")?.parts),
    allText: [system, ...contents.map((c) => partsText(c.parts))].join("\n"),
    schema: body.generationConfig?.responseJsonSchema ?? body.generationConfig?.responseSchema,
    apiKey,
    req,
    body,
    path: url.pathname,
  });
  return o.kind === "fault" ? fault(o.fail, o.model, o.delayMs) : success(o);
});
