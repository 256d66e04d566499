import type { IncomingMessage } from "node:http";
import type { FakeAnswer } from "../fake-provider/registry";
import { registerFakeRoute } from "../fake-provider/registry";
import { type HttpFault, exchange, type Outcome } from "./exchange";
import { hashOf, splitPath } from "./scenario";

/**
 * Anthropic Messages fake: POST /anthropic[/~spec]/v1/messages. Needs `x-api-key` and `anthropic-version`.
 * Structured output by `output_config.format` (answer as text) or forced tool use (answer as the tool's input).
 */
const errorBody = (type: string, message: string, details?: Record<string, unknown>) => ({
  type: "error",
  error: { type, message, ...(details ? { details } : {}) },
  request_id: `req_fake${Date.now().toString(36)}`,
});

function fault(fail: HttpFault, model: string, delayMs: number): FakeAnswer {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer => ({ status, body, headers, delayMs });
  switch (fail) {
    case "rate_limit":
      return answer(429, errorBody("rate_limit_error", "Number of requests has exceeded your per-minute rate limit"), {
        "retry-after": "2",
        "anthropic-ratelimit-requests-remaining": "0",
      });
    case "rate_limit_ms":
      return answer(429, errorBody("rate_limit_error", "Number of requests has exceeded your per-minute rate limit"), { "retry-after-ms": "250", "retry-after": "1" });
    case "quota":
      return answer(429, errorBody("rate_limit_error", "You have reached your specified API usage limits.", { error_code: "enforced_spend_limit_reached" }));
    case "overloaded":
      return answer(529, errorBody("overloaded_error", "Overloaded"));
    case "auth":
      return answer(401, errorBody("authentication_error", "invalid x-api-key"));
    case "not_found":
      return answer(404, errorBody("not_found_error", `model: ${model}`));
    default:
      return answer(500, errorBody("api_error", "Internal server error"));
  }
}

function success(o: Extract<Outcome, { kind: "answer" }>, toolName: string | undefined): FakeAnswer {
  const { prompt, cached, output } = o.usage;
  const asTool = toolName !== undefined && o.finish === "stop" && o.text.startsWith("{");
  const content = asTool ? [{ type: "tool_use", id: `toolu_${hashOf(o.text).toString(36)}`, name: toolName, input: o.object }] : [{ type: "text", text: o.text }];
  const stop = o.finish === "length" ? "max_tokens" : o.finish === "refusal" ? "refusal" : asTool ? "tool_use" : "end_turn";
  return {
    status: 200,
    delayMs: o.delayMs,
    headers: { "request-id": `req_fake${hashOf(o.text).toString(36)}` },
    body: {
      id: `msg_${hashOf(o.text, o.model).toString(36)}`,
      type: "message",
      role: "assistant",
      model: o.model,
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: {
        input_tokens: prompt - cached,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: cached,
        output_tokens: output,
        service_tier: "standard",
      },
    },
  };
}

interface MessagesBody {
  model?: string;
  system?: unknown;
  messages?: { role?: string; content?: unknown }[];
  max_tokens?: number;
  output_config?: { format?: { type?: string; schema?: Record<string, unknown> } };
  tools?: { name?: string; input_schema?: Record<string, unknown> }[];
  tool_choice?: { type?: string; name?: string };
}

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((b) => (typeof (b as { text?: unknown }).text === "string" ? (b as { text: string }).text : "")).join("")
      : "";

registerFakeRoute("anthropic", (req: IncomingMessage, raw: string, url: URL): FakeAnswer => {
  const { spec, rest } = splitPath(url.pathname);
  if (req.method !== "POST" || rest !== "/v1/messages") return { status: 404, body: errorBody("not_found_error", `Not found: ${url.pathname}`) };
  const apiKey = req.headers["x-api-key"];
  if (typeof apiKey !== "string" || apiKey === "") return { status: 401, body: errorBody("authentication_error", "x-api-key header is required") };
  if (!req.headers["anthropic-version"]) return { status: 400, body: errorBody("invalid_request_error", "anthropic-version: header is required") };
  let body: MessagesBody;
  try {
    body = JSON.parse(raw) as MessagesBody;
  } catch {
    return { status: 400, body: errorBody("invalid_request_error", "The request body is not valid JSON") };
  }
  if (typeof body.max_tokens !== "number") return { status: 400, body: errorBody("invalid_request_error", "max_tokens: Field required") };
  const forced = body.tool_choice?.type === "tool" ? body.tools?.find((t) => t.name === body.tool_choice?.name) : undefined;
  const messages = body.messages ?? [];
  const o = exchange({
    provider: "anthropic",
    rawModel: body.model ?? "",
    urlSpec: spec,
    system: textOf(body.system),
    user: textOf(messages.find((m) => m.role === "user")?.content),
    allText: [textOf(body.system), ...messages.map((m) => textOf(m.content))].join("\n"),
    schema: body.output_config?.format?.schema ?? forced?.input_schema,
    apiKey,
    req,
    body,
    path: url.pathname,
  });
  return o.kind === "fault" ? fault(o.fail, o.model, o.delayMs) : success(o, forced?.name);
});
