import { EnrichmentError, type EnrichmentErrorCode, parseRetryAfter } from "../errors";
import type { ErrorCategory } from "../types";
import type { LlmAttempt, LlmProvider, LlmUsage, OutputValidationError } from "./types";

/**
 * A failed model call. Besides the shared error fields it keeps what the provider billed for the failed
 * call (the operator pays it, the record shows it) and, for invalid output, the schema errors.
 */
export class LlmCallError extends EnrichmentError {
  readonly usage?: LlmUsage;
  readonly validationErrors: OutputValidationError[];
  /** The exchanges made before the failure (request bodies without credentials, answers), for the record. */
  attempts: LlmAttempt[] = [];

  constructor(
    code: EnrichmentErrorCode,
    message: string,
    category: ErrorCategory,
    options: { retryable?: boolean; statusCode?: number; retryAfterMs?: number; usage?: LlmUsage; validationErrors?: OutputValidationError[] } = {},
  ) {
    super(code, message, category, options);
    this.name = "LlmCallError";
    this.usage = options.usage;
    this.validationErrors = options.validationErrors ?? [];
  }

  /** Copies the error with what the call had spent and sent when it failed. */
  withAttempts(attempts: LlmAttempt[], usage: LlmUsage): LlmCallError {
    const copy = new LlmCallError(this.code, this.message, this.category, {
      retryable: this.retryable,
      statusCode: this.statusCode,
      retryAfterMs: this.retryAfterMs,
      usage,
      validationErrors: this.validationErrors,
    });
    copy.attempts = attempts;
    return copy;
  }

  override toJSON() {
    return { ...super.toJSON(), ...(this.validationErrors.length ? { validationErrors: this.validationErrors } : {}) };
  }
}

export const outputInvalid = (message: string, validationErrors: OutputValidationError[], usage?: LlmUsage) =>
  new LlmCallError("LLM_OUTPUT_INVALID", message, "provider_failure", { validationErrors, usage });

export const refused = (message: string, usage?: LlmUsage) => new LlmCallError("LLM_REFUSED", message, "provider_failure", { usage });

export const truncated = (maxOutputTokens: number, usage?: LlmUsage) =>
  new LlmCallError(
    "LLM_TRUNCATED",
    `The answer was cut off at maxOutputTokens (${maxOutputTokens}); ask for a larger maxOutputTokens or a smaller schema`,
    "provider_failure",
    { usage },
  );

/** What a provider's error body says, in the pieces the mapping needs. */
export interface ProviderFailure {
  status: number;
  headers: Headers;
  /** The provider's own error message (already redacted). */
  message: string;
  /** The provider says the account is out of credit or past a hard (per-day / spend) quota. */
  quotaExhausted: boolean;
  /** The provider says it is out of capacity (Anthropic 529, Workers AI 3040). */
  overloaded?: boolean;
  /** A wait the body names (Gemini RetryInfo.retryDelay), used when no header does. */
  retryAfterMs?: number;
  /** The provider says the key is wrong with a status other than 401/403 (Gemini answers 400 API_KEY_INVALID). */
  authFailure?: boolean;
}

/** `retry-after-ms` (milliseconds, OpenAI and Anthropic) wins over `retry-after` (seconds or an HTTP date). */
export function retryAfterFrom(headers: Headers): number | undefined {
  const ms = Number(headers.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headers.get("retry-after"));
}

/**
 * The mapping of a failed HTTP exchange with a model provider: 401/403 → AUTH_ERROR; 402 and quota-exhausted 429s →
 * LLM_QUOTA_EXHAUSTED (not retried: waiting does not help); other 429s → RATE_LIMITED (retried after the named wait);
 * 529 → HTTP_529 "overloaded" (retried); 408/409/5xx → retried; 404 (unknown model) and other 4xx → not retried.
 */
export function llmErrorFromFailure(provider: LlmProvider, f: ProviderFailure): LlmCallError {
  const { status } = f;
  const said = f.message ? `: ${f.message.slice(0, 300)}` : "";
  const retryAfterMs = retryAfterFrom(f.headers) ?? f.retryAfterMs;
  if (status === 401 || status === 403 || f.authFailure) {
    return new LlmCallError("AUTH_ERROR", `${provider} rejected the credentials (${status})${said}`, "auth_error", { statusCode: status });
  }
  if (status === 402 || (status === 429 && f.quotaExhausted)) {
    return new LlmCallError("LLM_QUOTA_EXHAUSTED", `${provider} quota or credit exhausted (${status})${said}`, "rate_limit", { statusCode: status });
  }
  if (status === 429) {
    return new LlmCallError("RATE_LIMITED", `${provider} rate limit (429)${said}`, "rate_limit", { retryable: true, statusCode: status, retryAfterMs });
  }
  if (status === 529 || f.overloaded) {
    return new LlmCallError(`HTTP_${status}`, `${provider} is overloaded (${status})${said}`, "provider_failure", {
      retryable: true,
      statusCode: status,
      retryAfterMs,
    });
  }
  const retryable = status === 408 || status === 409 || status >= 500;
  const category: ErrorCategory = status === 408 ? "timeout" : status === 404 ? "configuration" : "provider_failure";
  return new LlmCallError(`HTTP_${status}`, `${provider} answered ${status}${said}`, category, {
    retryable,
    statusCode: status,
    retryAfterMs: retryable ? retryAfterMs : undefined,
  });
}

/** A transport failure: our own deadline (the caller's AbortSignal.timeout) or the network. Cancellation passes through. */
export function llmErrorFromThrown(provider: LlmProvider, error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof EnrichmentError) return error;
  const reason: unknown = signal?.aborted ? signal.reason : error;
  const name = reason instanceof Error || reason instanceof DOMException ? reason.name : "";
  if (name === "TimeoutError") {
    return new LlmCallError("ENRICHMENT_TIMEOUT", `${provider} did not answer before the call's deadline`, "timeout", { retryable: true });
  }
  if (signal?.aborted) return reason;
  if (name === "OutboundUrlError") {
    return new LlmCallError("SYSTEM", `The ${provider} base URL is refused: ${(error as Error).message}`, "configuration");
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmCallError("SYSTEM", `Could not reach ${provider}: ${message.slice(0, 200)}`, "provider_failure", { retryable: true });
}
