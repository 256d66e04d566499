import { EnrichmentError, noData, parseRetryAfter } from "../errors";
import type { IntegrationContext } from "../types";
import { asArray, asRecord, asString, baseUrlSchema, callProvider, providerUrl } from "./provider-call";

export const hunterBaseUrl = baseUrlSchema("https://api.hunter.io");

/** Hunter's error body: `{"errors":[{"id","code","details"}]}`. */
const hunterError = (body: unknown) => {
  const first = asRecord(asArray(asRecord(body).errors)[0]);
  const id = asString(first.id);
  const details = asString(first.details);
  return id && details ? `${id}: ${details}` : (details ?? id);
};

/**
 * Hunter documents its own meanings: 403 is the per-second rate limit (back off and retry), 429 is the
 * plan's usage limit (retrying does not help unless it says when), 451 a person who asked not to be processed.
 */
function hunterStatus(res: Response, detail: string | undefined): EnrichmentError | undefined {
  const suffix = detail ? `: ${detail}` : "";
  if (res.status === 403) {
    return new EnrichmentError("RATE_LIMITED", `Hunter rate limit reached${suffix}`, "rate_limit", {
      retryable: true,
      statusCode: 403,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
    });
  }
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    return new EnrichmentError("RATE_LIMITED", `Hunter usage limit reached${suffix}`, "rate_limit", {
      retryable: retryAfterMs !== undefined,
      statusCode: 429,
      retryAfterMs,
    });
  }
  if (res.status === 451) return noData(`Hunter will not process this person${suffix}`);
  return undefined;
}

/** GET {baseUrl}/v2/<endpoint> with the key in Hunter's documented `X-API-KEY` header (kept out of URLs and logs). */
export async function hunterGet(ctx: IntegrationContext, baseUrl: string, endpoint: string, query: Record<string, string | undefined>) {
  const answer = await callProvider(ctx, providerUrl(baseUrl, `/v2/${endpoint}`, query), {
    headers: { "x-api-key": ctx.credentials.apiKey ?? "" },
    errorDetail: hunterError,
    mapError: hunterStatus,
  });
  return { status: answer.status, data: asRecord(asRecord(answer.body).data), meta: asRecord(asRecord(answer.body).meta) };
}
