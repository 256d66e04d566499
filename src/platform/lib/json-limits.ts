import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";

/**
 * The one limit on JSON a request can make Dossier hold, store or walk: at most `depth` nested objects and
 * arrays (counted from the value's root), and for a free-form field (integration config, params, templates)
 * at most `freeFormBytes` of UTF-8 JSON. The checks here are iterative, so no input can overflow the stack
 * while being checked, and anything that passes is shallow enough for every later walk.
 */
export const JSON_LIMITS = { depth: 32, freeFormBytes: 16 * 1024 } as const;

export type JsonPath = (string | number)[];

export interface JsonLimitProblem {
  path: JsonPath;
  message: string;
  code: "too_deep" | "too_big";
}

const isContainer = (v: unknown): v is object => v !== null && typeof v === "object";

/** The path of the first object or array nested deeper than `maxDepth` (the root one is level 1), or null. */
export function tooDeepAt(value: unknown, maxDepth: number = JSON_LIMITS.depth): JsonPath | null {
  const pending: { value: unknown; path: JsonPath }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (!isContainer(next.value)) continue;
    if (next.path.length >= maxDepth) return next.path;
    const entries: [string | number, unknown][] = Array.isArray(next.value) ? next.value.map((v, i) => [i, v]) : Object.entries(next.value);
    for (const [key, child] of entries) if (isContainer(child)) pending.push({ value: child, path: [...next.path, key] });
  }
  return null;
}

const tooDeep = (path: JsonPath, maxDepth: number): JsonLimitProblem => ({
  path,
  message: `Nested more than ${maxDepth} levels deep`,
  code: "too_deep",
});

/** Depth, then size: what is wrong with a free-form JSON value, or null when it is within the limit. */
export function freeFormProblem(value: unknown, limits: { depth: number; bytes: number } = { depth: JSON_LIMITS.depth, bytes: JSON_LIMITS.freeFormBytes }): JsonLimitProblem | null {
  const deepAt = tooDeepAt(value, limits.depth);
  if (deepAt) return tooDeep(deepAt, limits.depth);
  // Shallow by now, so serializing cannot recurse far.
  const size = value === undefined ? 0 : new TextEncoder().encode(JSON.stringify(value)).byteLength;
  return size > limits.bytes ? { path: [], message: `At most ${limits.bytes} bytes of JSON (this is ${size})`, code: "too_big" } : null;
}

const pathText = (prefix: string, path: JsonPath) => [prefix, ...path.map(String)].filter((s) => s !== "").join(".");

/** For inputs that do not come through a zod schema (a JSON string in a query parameter, a service's own input). */
export function assertFreeForm(value: unknown, field: string): void {
  const problem = freeFormProblem(value);
  if (problem) {
    throw new ApiError("VALIDATION_ERROR", `${field}: ${problem.message}`, {
      details: [{ path: pathText(field, problem.path), message: problem.message, code: problem.code }],
    });
  }
}

/** The edge check of a whole request body: a 400 naming the first container nested too deep. */
export function assertBodyDepth(body: unknown): void {
  const at = tooDeepAt(body);
  if (at) {
    const problem = tooDeep(at, JSON_LIMITS.depth);
    throw new ApiError("VALIDATION_ERROR", `Request body: ${problem.message}`, {
      details: [{ path: pathText("", at), message: problem.message, code: problem.code }],
    });
  }
}

function checkFreeForm(value: unknown, ctx: z.RefinementCtx) {
  const problem = freeFormProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path, params: { reason: problem.code } });
}

/** The zod building block for a free-form JSON field: any JSON value within the one limit. */
export const freeFormJson = () => z.unknown().superRefine(checkFreeForm);

/** The same for a free-form JSON object (`config`, `params`). */
export const freeFormObject = () => z.record(z.string(), z.unknown()).superRefine(checkFreeForm);

/**
 * A copy of a JSON value with every leaf (string, number, boolean, null) passed through `leaf`, built container by
 * container without recursion; with `cut`, containers `cut.depth` levels down become `cut.as(container)` instead.
 */
export function mapJsonLeaves(value: unknown, leaf: (v: unknown) => unknown, cut?: { depth: number; as: (container: object) => unknown }): unknown {
  const root: { value: unknown } = { value: undefined };
  const pending: { from: unknown; into: (copy: unknown) => void; depth: number }[] = [{ from: value, into: (c) => (root.value = c), depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { from, into, depth } = next;
    if (!isContainer(from)) into(leaf(from));
    else if (cut && depth >= cut.depth) into(cut.as(from));
    else if (Array.isArray(from)) {
      const copy: unknown[] = new Array(from.length);
      into(copy);
      from.forEach((v, i) => pending.push({ from: v, into: (c) => (copy[i] = c), depth: depth + 1 }));
    } else {
      const entries = Object.entries(from);
      // Own data properties, so a key such as "__proto__" stays a key.
      const copy: Record<string, unknown> = Object.fromEntries(entries.map(([k]) => [k, null]));
      into(copy);
      for (const [k, v] of entries) pending.push({ from: v, into: (c) => Object.defineProperty(copy, k, { value: c }), depth: depth + 1 });
    }
  }
  return root.value;
}

/**
 * A copy of stored JSON at most `maxDepth` deep, deeper containers replaced by a marker: for presenting rows written
 * before the limit existed. The value itself when it fits.
 */
export function boundedJson<T>(value: T, maxDepth: number = JSON_LIMITS.depth): T {
  if (tooDeepAt(value, maxDepth) === null) return value;
  return mapJsonLeaves(value, (v) => v, { depth: maxDepth, as: () => "[nested too deep]" }) as T;
}
