import type { IncomingMessage } from "node:http";
import type { FakeAnswer } from "../fake-provider/registry";
import { registerFakeRoute } from "../fake-provider/registry";
import { type HttpFault, exchange, type Outcome } from "./exchange";
import { hashOf, splitPath } from "./scenario";

/**
 * Chat Completions fakes, one per flavor of the wire format:
 *   POST /openai/v1/chat/completions                                   (OpenAI)
 *   POST /deepseek/chat/completions                                    (DeepSeek: JSON mode, cache hit/miss usage, 402)
 *   POST /compat/v1/chat/completions                                   (Ollama / vLLM / LM Studio: no key needed)
 *   POST /cfai/client/v4/accounts/{account}/ai/v1/chat/completions     (Workers AI's OpenAI-compatible endpoint)
 * Each accepts `/~spec` after the prefix (see scenario.ts).
 */
type Flavor = "openai" | "deepseek" | "compat" | "cfai";

const PATHS: Record<Flavor, RegExp> = {
  openai: /^\/v1\/chat\/completions$/,
  deepseek: /^(\/v1)?\/chat\/completions$/,
  compat: /^\/v1\/chat\/completions$/,
  cfai: /^\/client\/v4\/accounts\/[^/]+\/ai\/v1\/chat\/completions$/,
};

const PROVIDER: Record<Flavor, string> = { openai: "openai", deepseek: "deepseek", compat: "openai_compatible", cfai: "workers-ai" };

const openAiError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });
const cfError = (code: number, message: string) => ({ errors: [{ code, message }], success: false, result: {}, messages: [] });

function fault(flavor: Flavor, fail: HttpFault, model: string, delayMs: number): FakeAnswer {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer => ({ status, body, headers, delayMs });
  switch (fail) {
    case "rate_limit":
    case "rate_limit_ms": {
      const headers: Record<string, string> =
        fail === "rate_limit" ? { "retry-after": "2" } : { "retry-after-ms": "250", "retry-after": "1" };
      if (flavor === "openai") Object.assign(headers, { "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s" });
      if (flavor === "cfai") return answer(429, cfError(3040, "Capacity temporarily exceeded, please try again."), headers);
      return answer(429, openAiError(`Rate limit reached for ${model} on requests per min (RPM): Limit 500, Used 500, Requested 1.`, "requests", "rate_limit_exceeded"), headers);
    }
    case "quota":
      if (flavor === "deepseek") return answer(402, openAiError("Insufficient Balance", "unknown_error", "invalid_request_error"));
      if (flavor === "cfai") return answer(429, cfError(3036, "You have used up your daily free allocation of 10,000 neurons."));
      return answer(429, openAiError("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"));
    case "overloaded":
      if (flavor === "cfai") return answer(429, cfError(3040, "Capacity temporarily exceeded, please try again."));
      return answer(503, openAiError("The server is overloaded, please try again later.", "server_error", null));
    case "auth":
      if (flavor === "cfai") return answer(401, cfError(10000, "Authentication error"));
      return answer(401, openAiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    case "not_found":
      return answer(404, openAiError(`The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found"));
    default:
      return answer(500, openAiError("The server had an error while processing your request. Sorry about that!", "server_error", null));
  }
}

function success(flavor: Flavor, o: Extract<Outcome, { kind: "answer" }>): FakeAnswer {
  const { prompt, cached, output, thoughts } = o.usage;
  const completion = output + thoughts;
  const usage: Record<string, unknown> = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (flavor === "openai") {
    usage.prompt_tokens_details = { cached_tokens: cached, audio_tokens: 0 };
    usage.completion_tokens_details = { reasoning_tokens: thoughts, audio_tokens: 0 };
  }
  if (flavor === "deepseek") Object.assign(usage, { prompt_cache_hit_tokens: cached, prompt_cache_miss_tokens: prompt - cached });
  const refusal = o.finish === "refusal" && flavor === "openai";
  return {
    status: 200,
    delayMs: o.delayMs,
    body: {
      id: `chatcmpl-${hashOf(o.text, o.model).toString(36)}`,
      object: "chat.completion",
      created: 1_732_000_000,
      model: flavor === "openai" ? `${o.model}-2024-fake` : o.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: refusal ? null : o.text, refusal: refusal ? o.text : null },
          finish_reason: o.finish === "length" ? "length" : "stop",
          logprobs: null,
        },
      ],
      ...(o.noUsage ? {} : { usage }),
      system_fingerprint: "fp_fake",
    },
  };
}

interface ChatBody {
  model?: string;
  messages?: { role?: string; content?: unknown }[];
  response_format?: { type?: string; json_schema?: { schema?: Record<string, unknown> } };
}

/** The schema: response_format's, or (JSON mode) the ```json block the system prompt carries. */
function schemaOf(body: ChatBody, system: string): Record<string, unknown> | undefined {
  const declared = body.response_format?.json_schema?.schema;
  if (declared) return declared;
  const block = /```json\s*([\s\S]*?)```/.exec(system)?.[1];
  if (!block) return undefined;
  try {
    return JSON.parse(block) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function route(flavor: Flavor) {
  return (req: IncomingMessage, raw: string, url: URL): FakeAnswer => {
    const { spec, rest } = splitPath(url.pathname);
    if (req.method !== "POST" || !PATHS[flavor].test(rest)) return { status: 404, body: openAiError(`Unknown path ${url.pathname}`, "invalid_request_error", null) };
    let body: ChatBody;
    try {
      body = JSON.parse(raw) as ChatBody;
    } catch {
      return { status: 400, body: openAiError("We could not parse the JSON body of your request.", "invalid_request_error", null) };
    }
    const auth = req.headers.authorization;
    const apiKey = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    if (flavor !== "compat" && !apiKey) return { status: 401, body: openAiError("You didn't provide an API key.", "invalid_request_error", null) };
    const messages = body.messages ?? [];
    const text = (m: { content?: unknown } | undefined) => (typeof m?.content === "string" ? m.content : "");
    const system = text(messages.find((m) => m.role === "system"));
    const user = text(messages.find((m) => m.role === "user"));
    const o = exchange({
      provider: PROVIDER[flavor],
      rawModel: body.model ?? "",
      urlSpec: spec,
      system,
      user,
      allText: messages.map(text).join("\n"),
      schema: schemaOf(body, system),
      apiKey,
      req,
      body,
      path: url.pathname,
    });
    return o.kind === "fault" ? fault(flavor, o.fail, o.model, o.delayMs) : success(flavor, o);
  };
}

for (const flavor of Object.keys(PATHS) as Flavor[]) registerFakeRoute(flavor, route(flavor));
