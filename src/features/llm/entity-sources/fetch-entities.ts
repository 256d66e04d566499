import Papa from "papaparse";
import type { Settings } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import { OutboundUrlError, assertOutboundUrl, createSafeFetch } from "../../../platform/lib/outbound-fetch";
import { freeFormProblem } from "../../../platform/lib/json-limits";
import { readCapped } from "../../../platform/lib/read-capped";
import { MAX_JOB_ENTITIES } from "../../jobs";
import { MAX_INPUT_BYTES } from "../runs/run-entities";

export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;
export const SOURCE_TIMEOUT_MS = 10_000;

export type SourceAuth =
  | { type: "none" }
  | { type: "bearer"; token: string }
  | { type: "api_key"; header?: string; value: string }
  | { type: "basic"; username: string; password: string };

export interface SourceRequest {
  url: string;
  auth?: SourceAuth;
  format?: "json" | "csv";
  /** Where the list is inside a JSON object (`data.items`). */
  dataPath?: string;
}

/** Headers a caller may not set through `api_key` (they change how the request travels, or are ours). */
const RESERVED_HEADERS = new Set(["host", "cookie", "connection", "content-length", "transfer-encoding", "upgrade", "te", "trailer", "keep-alive", "proxy-authorization", "accept"]);

const unprocessable = (message: string, details?: unknown) => new ApiError("UNPROCESSABLE", message, details === undefined ? {} : { details });

/** The credentials go in this one request's headers only: never stored, logged or answered. */
function authHeaders(auth: SourceAuth | undefined): Record<string, string> {
  if (!auth || auth.type === "none") return {};
  if (auth.type === "bearer") return { authorization: `Bearer ${auth.token}` };
  if (auth.type === "basic") return { authorization: `Basic ${btoa(`${auth.username}:${auth.password}`)}` };
  const header = (auth.header ?? "X-API-Key").trim();
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(header) || RESERVED_HEADERS.has(header.toLowerCase())) {
    throw new ApiError("VALIDATION_ERROR", `'${header}' cannot carry an API key`, { details: [{ path: "auth.header", message: "Not an allowed header name" }] });
  }
  return { [header]: auth.value };
}

function listFromJson(text: string, dataPath: string | undefined): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unprocessable("The source did not answer JSON (send format: csv for a spreadsheet)");
  }
  for (const key of dataPath ? dataPath.split(".") : []) {
    value = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (!Array.isArray(value)) throw unprocessable(dataPath ? `There is no array at '${dataPath}' in the answer` : "The answer is not a JSON array (name where the list is with dataPath)");
  return value;
}

function listFromCsv(text: string): unknown[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy", transformHeader: (h) => h.trim() });
  const fatal = parsed.errors.filter((e) => e.type === "Quotes");
  if (fatal.length > 0) throw unprocessable("The CSV could not be parsed", fatal.slice(0, 10).map((e) => ({ row: (e.row ?? 0) + 2, message: e.message })));
  return parsed.data.map((row) => Object.fromEntries(Object.entries(row).filter(([k, v]) => k !== "" && v !== "")));
}

/**
 * Entities from a URL (`POST /v1/entity-sources/fetch`): one GET through the outbound guard (re-checked on each
 * redirect), at most 5 MiB and 10 s, a JSON array of objects (or the array at `dataPath`) or a CSV with a header row;
 * at most 1,000 entities of at most 32 KiB each, ready for `POST /v1/llm/enrichments`.
 */
export async function fetchEntities(settings: Settings, request: SourceRequest): Promise<{ entities: Record<string, unknown>[]; total: number; fetchTimeMs: number }> {
  const policy = { allowLoopback: settings.ALLOW_LOOPBACK_FETCH };
  try {
    assertOutboundUrl(request.url, policy);
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    throw new ApiError("VALIDATION_ERROR", `Refused by the outbound URL guard: ${error.message}`, { details: [{ path: "url", message: error.message, code: "outbound_url" }] });
  }
  const headers = { accept: request.format === "csv" ? "text/csv" : "application/json, text/csv;q=0.5", ...authHeaders(request.auth) };
  const started = Date.now();
  let res: Response;
  try {
    res = await createSafeFetch(policy)(request.url, { method: "GET", headers, signal: AbortSignal.timeout(SOURCE_TIMEOUT_MS) });
  } catch (error) {
    const name = error instanceof Error || error instanceof DOMException ? error.name : "";
    if (name === "OutboundUrlError") throw unprocessable(`A redirect was refused: ${(error as Error).message}`);
    throw unprocessable(name === "TimeoutError" ? `The source did not answer within ${SOURCE_TIMEOUT_MS / 1000} s` : "The source could not be reached");
  }
  if (res.status < 200 || res.status >= 300) {
    await res.body?.cancel();
    throw unprocessable(`The source answered ${res.status}`, { status: res.status });
  }
  const text = await readCapped(res, MAX_SOURCE_BYTES);
  if (text === null) throw new ApiError("PAYLOAD_TOO_LARGE", `The source answered more than ${MAX_SOURCE_BYTES} bytes`);
  const csv = request.format === "csv" || (request.format === undefined && /text\/csv/i.test(res.headers.get("content-type") ?? ""));
  const list = csv ? listFromCsv(text) : listFromJson(text, request.dataPath);
  if (list.length > MAX_JOB_ENTITIES) throw unprocessable(`The source lists ${list.length} entities; a job takes at most ${MAX_JOB_ENTITIES}`);
  const entities = list.map((item, i) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw unprocessable(`Item ${i} is not an object`, [{ index: i, message: "Not an object" }]);
    const problem = freeFormProblem(item, { depth: 16, bytes: MAX_INPUT_BYTES });
    if (problem) throw unprocessable(`Item ${i}: ${problem.message}`, [{ index: i, message: problem.message }]);
    return item as Record<string, unknown>;
  });
  return { entities, total: entities.length, fetchTimeMs: Date.now() - started };
}
