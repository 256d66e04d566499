import { errorCodes } from "../../src/platform/errors";
import type { Operation } from "./document";
import type { ApiResponse } from "./fixtures";

/** An error answer stays small whatever was sent: details are capped, not one entry per bad field. */
export const MAX_ERROR_BYTES = 16 * 1024;

/**
 * What is wrong with an answer by the document's rules, without a schema validator (workerd cannot compile
 * one): never a 5xx, only a status the operation declares, and every error in the one Error shape,
 * `{error:{code,message,details?,requestId?}}`, with the code that belongs to its status. Empty when it is fine.
 */
export function contractProblems(op: Operation, res: Pick<ApiResponse, "status" | "json" | "text">): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`answered ${res.status}`);
  if (!op.raw.responses[String(res.status)]) problems.push(`status ${res.status} is not declared for ${op.id}`);
  if (res.status < 400) return problems;
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
  if (res.text.length > MAX_ERROR_BYTES) problems.push(`error body of ${res.text.length} bytes (at most ${MAX_ERROR_BYTES})`);
  return problems;
}
