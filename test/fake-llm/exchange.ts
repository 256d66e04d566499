import type { IncomingMessage } from "node:http";
import { answerFor, schemaBreaking } from "./answer";
import { admit, entityTextOf, type Fail, scenarioOf, scripts, splitModel } from "./scenario";

/** Faults answered with an HTTP error in the provider's own format. */
export type HttpFault = Extract<Fail, "rate_limit" | "rate_limit_ms" | "quota" | "overloaded" | "auth" | "server_error" | "not_found">;
const HTTP_FAULTS = new Set<Fail>(["rate_limit", "rate_limit_ms", "quota", "overloaded", "auth", "server_error", "not_found"]);

export interface ExchangeInput {
  provider: string;
  /** The model as sent (may carry `@spec`). */
  rawModel: string;
  urlSpec?: string;
  system: string;
  /** The first user message (the one with the entity data). */
  user: string;
  /** Every text sent, for the token count. */
  allText: string;
  schema: Record<string, unknown> | undefined;
  /** The key the request carried; one starting with "invalid" is refused like a wrong key. */
  apiKey: string | undefined;
  req: IncomingMessage;
  body: unknown;
  path: string;
}

export interface Usage {
  prompt: number;
  cached: number;
  output: number;
  thoughts: number;
}

export type Outcome =
  | { kind: "fault"; fail: HttpFault; delayMs: number; model: string }
  | {
      kind: "answer";
      model: string;
      delayMs: number;
      text: string;
      object: Record<string, unknown>;
      finish: "stop" | "length" | "refusal";
      usage: Usage;
      /** The answer carries no usage block. */
      noUsage: boolean;
    };

const tokens = (text: string) => Math.ceil(Buffer.byteLength(text, "utf8") / 4);

/** Decides what the fake model does with one request (see scenario.ts) and produces its answer. */
export function exchange(input: ExchangeInput): Outcome {
  const { model, spec } = splitModel(input.rawModel);
  const entity = entityTextOf(input.user);
  const s = scenarioOf(input.urlSpec, spec, entity);
  const admitted = admit(s, input.provider, model, entity, input.req, input.path, input.body, input.system);
  const fail: Fail | undefined = input.apiKey?.startsWith("invalid") ? "auth" : admitted.fail;
  if (fail && HTTP_FAULTS.has(fail)) return { kind: "fault", fail: fail as HttpFault, delayMs: admitted.delayMs, model };

  const schema = input.schema ?? { type: "object", properties: {} };
  let object = fail === "schema_invalid" ? schemaBreaking(schema) : answerFor(schema, { entity, model, wrongPct: s.wrongPct, script: scripts.get(s.id) });
  let text = JSON.stringify(object);
  let finish: "stop" | "length" | "refusal" = "stop";
  if (fail === "truncate") {
    text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    finish = "length";
  } else if (fail === "refuse") {
    text = "I'm sorry, but I can't help with that request.";
    finish = "refusal";
  } else if (fail === "invalid_json") {
    text = `Here is the data you asked for: {${text.slice(1, 40)}`;
  } else if (fail === "blank") {
    text = "   ";
  }
  if (fail === "invalid_json" || fail === "blank" || fail === "truncate" || fail === "refuse") object = {};
  const prompt = tokens(input.allText + JSON.stringify(input.schema ?? {}));
  return {
    kind: "answer",
    model,
    delayMs: admitted.delayMs,
    text,
    object,
    finish,
    usage: { prompt, cached: Math.min(s.cacheTokens, prompt), output: tokens(text), thoughts: s.thoughtTokens },
    noUsage: s.noUsage,
  };
}
