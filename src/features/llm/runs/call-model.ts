import type { Settings } from "../../../platform/env";
import type { Semaphore } from "../../../platform/lib/semaphore";
import { createSafeFetch } from "../../../platform/lib/outbound-fetch";
import { ZERO_USAGE, addUsage, callModel } from "../../../providers/llm/client";
import { LlmCallError } from "../../../providers/llm/llm-errors";
import type { LlmRequest, LlmResult, LlmUsage } from "../../../providers/llm/types";
import { type ProviderAccess, providerKey } from "../providers/provider-access";
import type { RunModel } from "./run-spec";

/** Calls per model call: the first and at most two retries of a retryable failure (429, 5xx, 529, timeouts). */
export const MAX_CALL_ATTEMPTS = 3;
const BASE_BACKOFF_MS = 250;
/** A retry is made only if it can still have this long before the task's deadline. */
const MIN_TIME_LEFT_MS = 1_000;

/** One HTTP exchange as a record keeps it: what was sent (no credentials), what came back, what it cost. */
export interface Exchange {
  attempt: number;
  requestBody: unknown;
  rawResponse: unknown;
  usage: LlmUsage;
  validationErrors: unknown[];
  error?: { code: string; message: string };
  [field: string]: unknown;
}

export type CallOutcome =
  | { ok: true; result: LlmResult; exchanges: Exchange[]; usage: LlmUsage; chargeableUsage: LlmUsage; durationMs: number }
  | { ok: false; error: LlmCallError; exchanges: Exchange[]; usage: LlmUsage; chargeableUsage: LlmUsage; durationMs: number };

export interface CallContext {
  settings: Settings;
  /** The organization's providers as they are now (keys may have been rotated since the job began). */
  providers: Map<string, ProviderAccess>;
  connections: Semaphore;
  /** The task's deadline (ms since the epoch). */
  deadline: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const errorOf = (e: LlmCallError) => ({ code: e.code, message: e.message });

function exchangesOf(attempt: number, error: LlmCallError | null, result: LlmResult | null): Exchange[] {
  const attempts = result?.attempts ?? error?.attempts ?? [];
  return attempts.map((a, i) => ({
    attempt,
    ...(attempts.length > 1 ? { repair: i > 0 } : {}),
    requestBody: a.requestBody,
    rawResponse: a.rawResponse,
    usage: a.usage,
    validationErrors: a.validationErrors,
    ...(error && i === attempts.length - 1 ? { error: errorOf(error) } : {}),
  }));
}

/**
 * One model call with the caller's retries: a retryable failure is tried again after the provider's
 * retry-after (or a short backoff) while the task's deadline allows; quota, auth, refusal, truncation and invalid
 * output are final. Every exchange is kept for the record; the usage of failed attempts counts in the cost, only the
 * successful call's is chargeable.
 */
export async function callWithRetry(ctx: CallContext, model: RunModel, req: Omit<LlmRequest, "model" | "maxOutputTokens">): Promise<CallOutcome> {
  const started = Date.now();
  const exchanges: Exchange[] = [];
  let usage = ZERO_USAGE;
  const access = ctx.providers.get(model.provider);
  const refuse = (error: LlmCallError): CallOutcome => ({ ok: false, error, exchanges, usage, chargeableUsage: ZERO_USAGE, durationMs: Date.now() - started });
  if (!access || !access.configured || !access.enabled) {
    return refuse(new LlmCallError("AUTH_ERROR", `The provider ${model.provider} is not configured or not enabled for this organization`, "configuration"));
  }
  const apiKey = await providerKey(ctx.settings, access);
  const guarded = createSafeFetch({ allowLoopback: ctx.settings.ALLOW_LOOPBACK_FETCH });
  for (let attempt = 1; ; attempt++) {
    const left = ctx.deadline - Date.now();
    if (left <= 0) return refuse(new LlmCallError("ENRICHMENT_TIMEOUT", "The task's deadline passed before the call could be made", "timeout"));
    try {
      const result = await ctx.connections.run(() =>
        callModel(
          {
            provider: model.type,
            ...(access.baseUrl ? { baseUrl: access.baseUrl } : {}),
            ...(apiKey ? { apiKey } : {}),
            ...(access.accountId ? { accountId: access.accountId } : {}),
            channel: model.structured,
            fetch: guarded,
            signal: AbortSignal.timeout(left),
          },
          { ...req, model: model.model, maxOutputTokens: model.maxOutputTokens },
        ),
      );
      exchanges.push(...exchangesOf(attempt, null, result));
      usage = addUsage(usage, result.usage);
      return { ok: true, result, exchanges, usage, chargeableUsage: result.usage, durationMs: Date.now() - started };
    } catch (error) {
      if (!(error instanceof LlmCallError)) throw error;
      exchanges.push(...exchangesOf(attempt, error, null));
      if (error.usage) usage = addUsage(usage, error.usage);
      const wait = error.retryAfterMs ?? BASE_BACKOFF_MS * 2 ** (attempt - 1);
      const canRetry = error.retryable && attempt < MAX_CALL_ATTEMPTS && Date.now() + wait + MIN_TIME_LEFT_MS < ctx.deadline;
      if (!canRetry) return refuse(error);
      await sleep(wait);
    }
  }
}
