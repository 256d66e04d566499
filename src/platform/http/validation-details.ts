import type { ZodError } from "zod";

export interface ValidationDetail {
  path: string;
  message: string;
  code: string;
}

/**
 * One entry per failing field, as dotted paths under `prefix`. zod reports unknown keys once at the
 * parent object; we name each key's own path so a client can point at the field it should drop.
 */
export function validationDetails(error: Pick<ZodError, "issues">, prefix: readonly string[] = []): ValidationDetail[] {
  return error.issues.flatMap((issue): ValidationDetail[] => {
    const at = [...prefix, ...issue.path.map(String)];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...at, key].join("."), message: `Unknown field '${key}'`, code: issue.code }));
    }
    return [{ path: at.join("."), message: issue.message, code: issue.code }];
  });
}

/** An error lists at most this many details, each text at most `MAX_DETAIL_TEXT` characters. */
export const MAX_DETAILS = 50;
const MAX_DETAIL_TEXT = 200;

const shorten = (v: unknown) => (typeof v === "string" && v.length > MAX_DETAIL_TEXT ? `${v.slice(0, MAX_DETAIL_TEXT)}…` : v);

/**
 * Keeps an error small whatever the request sent (40,000 unknown fields, a 100 KB key): the first `MAX_DETAILS`
 * entries with long texts cut, then one entry counting the rest (`code: "truncated"`, `omitted`).
 */
export function capDetails(details: unknown): unknown {
  if (!Array.isArray(details)) return details;
  const shown = details
    .slice(0, MAX_DETAILS)
    .map((d: unknown) => (d !== null && typeof d === "object" && !Array.isArray(d) ? Object.fromEntries(Object.entries(d).map(([k, v]) => [k, shorten(v)])) : shorten(d)));
  const omitted = details.length - shown.length;
  if (omitted === 0) return shown;
  return [...shown, { path: "", message: `${omitted} more problems not listed`, code: "truncated", omitted }];
}
