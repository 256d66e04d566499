import { errorCodes } from "../../src/platform/errors";
import type { Operation } from "./document";
import type { ApiResponse } from "./fixtures";

/** An error answer stays small whatever was sent: details are capped, not one entry per bad field. */
export const MAX_ERROR_BYTES = 16 * 1024;

/**
 * The error bodies of the compatibility APIs whose documents have their own (an operation names one in
 * `x-error-shape`): what is wrong with a body in that shape. Dossier's own shape is checked below.
 */
export const ERROR_SHAPES: Record<string, (body: unknown) => string[]> = {
  /** `{"detail": "…"}` (FastAPI's, as Entity Enricher documents it). */
  detail: (body) =>
    body && typeof body === "object" && !Array.isArray(body) && typeof (body as { detail?: unknown }).detail === "string"
      ? []
      : [`not {detail}: ${JSON.stringify(body)?.slice(0, 200)}`],
};

/** Dossier's stable code in an error body: `error.code`, or a compatibility shape's `code` beside its `detail`. */
export function errorCodeOf(body: unknown): unknown {
  const b = body as { error?: { code?: unknown }; code?: unknown } | undefined;
  return b?.error?.code ?? b?.code;
}

/**
 * What is wrong with an answer by the document's rules, without a schema validator (workerd cannot compile
 * one): never a 5xx, only a status the operation declares, and every error in the one Error shape,
 * `{error:{code,message,details?,requestId?}}`, with the code that belongs to its status (or in the shape the
 * operation's `x-error-shape` names). Empty when it is fine.
 */
export function contractProblems(op: Operation, res: Pick<ApiResponse, "status" | "json" | "text">): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`answered ${res.status}`);
  if (!op.raw.responses[String(res.status)]) problems.push(`status ${res.status} is not declared for ${op.id}`);
  if (res.status < 400) return problems;
  if (res.text.length > MAX_ERROR_BYTES) problems.push(`error body of ${res.text.length} bytes (at most ${MAX_ERROR_BYTES})`);
  const shape = op.raw["x-error-shape"];
  if (shape !== undefined) {
    const check = ERROR_SHAPES[shape];
    return [...problems, ...(check ? check(res.json) : [`unknown x-error-shape ${shape}`])];
  }
  const body = res.json;
  const error = body?.error;
  if (!body || typeof body !== "object" || Object.keys(body).join() !== "error" || !error || typeof error !== "object") {
    return [...problems, `not the Error shape: ${res.text.slice(0, 200)}`];
  }
  const extra = Object.keys(error).filter((k) => !["code", "message", "details", "requestId"].includes(k));
  if (extra.length > 0) problems.push(`unexpected error fields ${extra.join(", ")}`);
  if (typeof error.code !== "string" || typeof error.message !== "string") problems.push(`error.code and error.message must be strings: ${res.text.slice(0, 200)}`);
  const expected = (errorCodes as Record<string, number>)[error.code];
  if (expected !== res.status) problems.push(`code ${error.code} does not belong to status ${res.status}`);
  return problems;
}
