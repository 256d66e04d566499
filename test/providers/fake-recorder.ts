import type { IncomingMessage } from "node:http";
import type { FakeAnswer } from "../fake-provider/registry";

/**
 * Shared by the provider fakes (they run in Node, beside the test pool): what each fake received, keyed by
 * the lookup value, and the behaviour a test asks for through that value's first four characters.
 */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

const received = new Map<string, Received[]>();
const calls = new Map<string, number>();

export function recordRequest(prefix: string, key: string, req: IncomingMessage, body: string, url: URL): number {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
  const id = `${prefix}|${key.toLowerCase()}`;
  const list = received.get(id) ?? [];
  list.push({ method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });
  received.set(id, list);
  const n = (calls.get(id) ?? 0) + 1;
  calls.set(id, n);
  return n;
}

/** `GET /<prefix>/_received?key=<lookup value>` answers every request recorded for that value, oldest first. */
export function receivedAnswer(prefix: string, url: URL): FakeAnswer | undefined {
  if (url.pathname !== `/${prefix}/_received`) return undefined;
  return { status: 200, body: received.get(`${prefix}|${(url.searchParams.get("key") ?? "").toLowerCase()}`) ?? [] };
}

/**
 * The behaviour encoded at the start of a lookup value (case-insensitive):
 * x401 x403 x404 x451 x500 → that status every time; x429 → 429 with Retry-After: 30 every time;
 * y429 → 429 with Retry-After: 1 on the first call, then ok; y503 → 503 on the first call, then ok;
 * y202 → 202 on the first call, then ok; xnon → an answer without data; anything else → ok.
 */
export type Behaviour =
  | { kind: "ok" }
  | { kind: "empty" }
  | { kind: "status"; status: number; retryAfter?: string };

export function behaviourOf(key: string, call: number): Behaviour {
  const code = key.slice(0, 4).toLowerCase();
  const fixed = /^x(\d{3})$/.exec(code);
  if (fixed) return fixed[1] === "429" ? { kind: "status", status: 429, retryAfter: "30" } : { kind: "status", status: Number(fixed[1]) };
  const once = /^y(\d{3})$/.exec(code);
  if (once && call === 1) return { kind: "status", status: Number(once[1]), retryAfter: once[1] === "429" ? "1" : undefined };
  if (code === "xnon") return { kind: "empty" };
  return { kind: "ok" };
}
