import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * What a fake LLM call should do, from a spec `key=value;key=value` found in any of three places (later wins):
 * the base URL (`/openai/~id=t1;fail=quota/v1/chat/completions`), the model name (`gpt-4o-mini@fail=refuse`),
 * and the entity data in the prompt (`[[fake-llm fail=rate_limit;times=1]]`). Keys:
 *   id       scope for counters, recorded requests and scripts (use a fresh one per test: files run in parallel)
 *   fail     one of FAILS below
 *   times    the fault hits only the first N calls per (id, provider, model, entity); then the call succeeds
 *   latency  answer after this many ms
 *   cache    cached input tokens to report; thoughts: reasoning/thinking tokens to report
 *   wrong    percent of fields on which each model departs from the consensus value (default 25)
 *   usage    "none": answer without a usage block (some self-hosted servers do)
 *   when     the fault hits only calls whose system prompt contains this text (e.g. one expertise domain's name)
 */
export const FAILS = [
  "rate_limit",
  "rate_limit_ms",
  "quota",
  "overloaded",
  "auth",
  "server_error",
  "not_found",
  "truncate",
  "refuse",
  "invalid_json",
  "schema_invalid",
  "blank",
  "hang",
] as const;
export type Fail = (typeof FAILS)[number];

export interface Scenario {
  id: string;
  fail?: Fail;
  times?: number;
  latencyMs: number;
  cacheTokens: number;
  thoughtTokens: number;
  wrongPct: number;
  noUsage: boolean;
  when?: string;
}

export const HANG_MS = 10_000;

function applySpec(into: Scenario, spec: string) {
  for (const part of spec.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const n = Number(value);
    if (key === "id") into.id = value;
    else if (key === "fail" && (FAILS as readonly string[]).includes(value)) into.fail = value as Fail;
    else if (key === "times" && Number.isInteger(n)) into.times = n;
    else if (key === "latency" && Number.isFinite(n)) into.latencyMs = n;
    else if (key === "cache" && Number.isInteger(n)) into.cacheTokens = n;
    else if (key === "thoughts" && Number.isInteger(n)) into.thoughtTokens = n;
    else if (key === "wrong" && Number.isFinite(n)) into.wrongPct = n;
    else if (key === "usage") into.noUsage = value === "none";
    else if (key === "when") into.when = value;
  }
}

/** `[[fake-llm …]]` markers in the entity data. */
const MARKER = /\[\[fake-llm ([^\]]*)\]\]/g;

export function scenarioOf(urlSpec: string | undefined, modelSpec: string | undefined, entityText: string): Scenario {
  const s: Scenario = { id: "", latencyMs: 0, cacheTokens: 0, thoughtTokens: 0, wrongPct: 25, noUsage: false };
  if (urlSpec) applySpec(s, urlSpec);
  if (modelSpec) applySpec(s, modelSpec);
  for (const m of entityText.matchAll(MARKER)) applySpec(s, m[1] ?? "");
  return s;
}

/** `model@spec` → the model and its spec. */
export function splitModel(raw: string): { model: string; spec?: string } {
  const at = raw.indexOf("@", raw.startsWith("@") ? 1 : 0);
  return at < 0 ? { model: raw } : { model: raw.slice(0, at), spec: raw.slice(at + 1) };
}

/** `/prefix/~spec/rest` → the spec and `/rest`. */
export function splitPath(pathname: string): { spec?: string; rest: string } {
  const parts = pathname.split("/");
  const second = parts[2] ?? "";
  if (!second.startsWith("~")) return { rest: `/${parts.slice(2).join("/")}` };
  return { spec: decodeURIComponent(second.slice(1)), rest: `/${parts.slice(3).join("/")}` };
}

/** The entity data of a prompt: the delimited blocks (see src/providers/llm/delimit.ts), else the whole text. */
export function entityTextOf(user: string): string {
  const blocks = [...user.matchAll(/<<<DATA (\w+)>>>\n?([\s\S]*?)\n?<<<END \1>>>/g)].map((m) => m[2] ?? "");
  return (blocks.length ? blocks.join("\n") : user).replace(/\s+/g, " ").trim();
}

export const hashOf = (...parts: string[]) => Number.parseInt(createHash("sha256").update(parts.join("\u0001")).digest("hex").slice(0, 8), 16);

interface Stats {
  total: number;
  byModel: Record<string, number>;
  byOutcome: Record<string, number>;
  /** `provider::model|outcome` → calls. */
  byKey: Record<string, number>;
  inFlight: number;
  peakInFlight: number;
}

export interface Recorded {
  provider: string;
  model: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  outcome: string;
}

const stats = new Map<string, Stats>();
const requests = new Map<string, Recorded[]>();
const perEntity = new Map<string, number>();
/** Scripted answers per id: model (or "*") → dotted path → value; `$fail` → a fault for that model. */
export const scripts = new Map<string, Record<string, Record<string, unknown>>>();

const KEPT_REQUESTS = 500;

export function statsOf(id: string): Stats {
  const s = stats.get(id) ?? { total: 0, byModel: {}, byOutcome: {}, byKey: {}, inFlight: 0, peakInFlight: 0 };
  stats.set(id, s);
  return s;
}

export const requestsOf = (id: string): Recorded[] => requests.get(id) ?? [];

/** Which fault (if any) this call gets, and counts it. `outcome` is the fault or "ok". */
export function admit(
  s: Scenario,
  provider: string,
  model: string,
  entityText: string,
  req: IncomingMessage,
  path: string,
  body: unknown,
  system = "",
): { fail?: Fail; delayMs: number } {
  const scripted = scripts.get(s.id)?.[model]?.$fail ?? scripts.get(s.id)?.["*"]?.$fail;
  const named = typeof scripted === "string" && (FAILS as readonly string[]).includes(scripted) ? (scripted as Fail) : s.fail;
  const fail = s.when === undefined || system.includes(s.when) ? named : undefined;
  // Calls a `when` does not select neither fail nor count towards `times`.
  const key = `${s.id}|${provider}|${model}|${hashOf(entityText)}|${fail === undefined ? "-" : "when"}`;
  const n = (perEntity.get(key) ?? 0) + 1;
  perEntity.set(key, n);
  const active = fail !== undefined && (s.times === undefined || n <= s.times) ? fail : undefined;
  const outcome = active ?? "ok";
  const st = statsOf(s.id);
  st.total++;
  st.byModel[`${provider}::${model}`] = (st.byModel[`${provider}::${model}`] ?? 0) + 1;
  st.byOutcome[outcome] = (st.byOutcome[outcome] ?? 0) + 1;
  st.byKey[`${provider}::${model}|${outcome}`] = (st.byKey[`${provider}::${model}|${outcome}`] ?? 0) + 1;
  const delayMs = active === "hang" ? HANG_MS : s.latencyMs;
  st.inFlight++;
  st.peakInFlight = Math.max(st.peakInFlight, st.inFlight);
  setTimeout(() => st.inFlight--, delayMs).unref();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
  const list = requests.get(s.id) ?? [];
  if (list.length >= KEPT_REQUESTS) list.shift();
  list.push({ provider, model, path, headers, body, outcome });
  requests.set(s.id, list);
  return { fail: active, delayMs };
}
