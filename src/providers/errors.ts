import type { ErrorCategory } from "./types";

export type EnrichmentErrorCode =
  | "ENRICHMENT_TIMEOUT"
  | "INTEGRATION_NOT_ENABLED"
  | "MISSING_INPUT"
  | `HTTP_${number}`
  | "RATE_LIMITED"
  | "AUTH_ERROR"
  | "NO_DATA"
  | "SYSTEM"
  | LlmErrorCode;

/** Failures only model calls have (src/providers/llm/llm-errors.ts builds them). */
export type LlmErrorCode = "LLM_OUTPUT_INVALID" | "LLM_REFUSED" | "LLM_TRUNCATED" | "LLM_QUOTA_EXHAUSTED";

/** A typed failure of one integration run; it fails that result, never the whole request. */
export class EnrichmentError extends Error {
  readonly code: EnrichmentErrorCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly statusCode?: number;
  /** From the provider's Retry-After, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(
    code: EnrichmentErrorCode,
    message: string,
    category: ErrorCategory,
    options: { retryable?: boolean; statusCode?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "EnrichmentError";
    this.code = code;
    this.category = category;
    this.retryable = options.retryable ?? false;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      category: this.category,
      retryable: this.retryable,
      ...(this.statusCode === undefined ? {} : { statusCode: this.statusCode }),
    };
  }
}

export const noData = (message = "The provider has no data for this entity") =>
  new EnrichmentError("NO_DATA", message, "no_data");

export const missingInput = (message: string) => new EnrichmentError("MISSING_INPUT", message, "validation");

export const authError = (message = "The provider rejected the credentials", statusCode?: number) =>
  new EnrichmentError("AUTH_ERROR", message, "auth_error", { statusCode });

export const timeoutError = (ms: number) =>
  new EnrichmentError("ENRICHMENT_TIMEOUT", `No answer within ${ms} ms`, "timeout", { retryable: true });

export const systemError = (message: string) => new EnrichmentError("SYSTEM", message, "system");

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The shared mapping of a provider's HTTP failure: 401/403 → AUTH_ERROR, 404 → NO_DATA,
 * 429 → RATE_LIMITED (retryable, honouring Retry-After), 5xx → HTTP_5xx (retryable), other 4xx → HTTP_4xx.
 */
export function errorFromResponse(res: Response, detail?: string): EnrichmentError {
  const status = res.status;
  const suffix = detail ? `: ${detail.slice(0, 300)}` : "";
  if (status === 401 || status === 403) return authError(`Provider answered ${status}${suffix}`, status);
  if (status === 404) return new EnrichmentError("NO_DATA", `Provider answered 404${suffix}`, "no_data", { statusCode: status });
  if (status === 429) {
    return new EnrichmentError("RATE_LIMITED", `Provider rate limit${suffix}`, "rate_limit", {
      retryable: true,
      statusCode: status,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
    });
  }
  if (status >= 500) {
    return new EnrichmentError(`HTTP_${status}`, `Provider answered ${status}${suffix}`, "provider_failure", {
      retryable: true,
      statusCode: status,
    });
  }
  return new EnrichmentError(`HTTP_${status}`, `Provider answered ${status}${suffix}`, "provider_failure", { statusCode: status });
}
