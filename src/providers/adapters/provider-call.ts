import { z } from "zod";
import { readCapped } from "../../platform/lib/read-capped";
import { type EnrichmentError, errorFromResponse, systemError } from "../errors";
import { isEmpty } from "../field-dictionary";
import type { IntegrationContext } from "../types";

/** Provider answers larger than this are refused rather than buffered. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

export interface ProviderAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface ProviderCallOptions {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Reads the provider's documented error body into a short message. */
  errorDetail?: (body: unknown) => string | undefined;
  /** Provider statuses whose documented meaning differs from the shared mapping; undefined falls back to it. */
  mapError?: (res: Response, detail: string | undefined) => EnrichmentError | undefined;
}

/** The config every adapter takes: the provider's base URL, defaulting to the real API. */
export const baseUrlSchema = (defaultUrl: string) =>
  z
    .string()
    .url()
    .refine((v) => /^https?:/i.test(v), "Must be an http(s) URL")
    .default(defaultUrl);

/** `base` may carry a path prefix (a proxy, a test fake); `path` is the provider's documented path. */
export function providerUrl(base: string, path: string, query: Record<string, string | number | undefined> = {}): URL {
  const url = new URL(`${base.replace(/\/+$/, "")}${path}`);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") url.searchParams.set(name, String(value));
  }
  return url;
}

/** Replaces every credential value in text; providers sometimes echo what they were sent. */
export function redactSecrets(text: string, credentials: Record<string, string>): string {
  let out = text;
  for (const secret of Object.values(credentials)) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}

async function readBounded(res: Response): Promise<string> {
  const text = await readCapped(res, MAX_ANSWER_BYTES);
  if (text === null) throw systemError(`Provider answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * One provider request through the guarded fetch: failures become typed enrichment errors (the shared
 * 401/403/404/429/5xx mapping unless the provider documents otherwise), success is parsed JSON.
 * Credentials are redacted from every message, since error bodies may quote the request.
 */
export async function callProvider(ctx: IntegrationContext, url: URL, options: ProviderCallOptions = {}): Promise<ProviderAnswer> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const res = await ctx.fetch(url, { method: options.method ?? "GET", headers, body });
  const text = await readBounded(res);
  if (!res.ok) {
    const parsed = parseJson(text);
    const raw = (parsed === undefined ? undefined : options.errorDetail?.(parsed)) ?? text.trim();
    const detail = raw ? redactSecrets(raw, ctx.credentials).slice(0, 300) : undefined;
    throw options.mapError?.(res, detail) ?? errorFromResponse(res, detail);
  }
  const parsed = text === "" ? null : parseJson(text);
  if (parsed === undefined) throw systemError("Provider answered with invalid JSON");
  return { status: res.status, headers: res.headers, body: parsed };
}

const LIMITS = { depth: 6, arrayItems: 25, objectKeys: 80, stringLength: 2000 };

/** Bounds what is kept of a provider answer in `enrichmentData`: depth, list lengths and string sizes. */
export function trimForStorage(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.length > LIMITS.stringLength ? `${value.slice(0, LIMITS.stringLength)}…` : value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= LIMITS.depth) return Array.isArray(value) ? `[${value.length} items]` : "{…}";
  if (Array.isArray(value)) return value.slice(0, LIMITS.arrayItems).map((v) => trimForStorage(v, depth + 1));
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return Object.fromEntries(entries.slice(0, LIMITS.objectKeys).map(([k, v]) => [k, trimForStorage(v, depth + 1)]));
}

/** Drops empty values from a nested value object (an address, an officer). */
export const compactObject = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => !isEmpty(v))) as Partial<T>;

export const clamp01 = (n: number) => Math.min(1, Math.max(0, n));

/** Share of the integration's outputs this result filled. */
export const completenessOf = (fields: Record<string, unknown>, outputs: readonly string[]) =>
  outputs.length === 0 ? 0 : Math.round((Object.keys(fields).length / outputs.length) * 100) / 100;

/** Narrowing helpers for untyped provider JSON. */
export const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
export const asNumber = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const asBoolean = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
export const strings = (v: unknown): string[] => asArray(v).map(asString).filter((s): s is string => s !== undefined);
