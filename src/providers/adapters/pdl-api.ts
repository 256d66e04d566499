import { z } from "zod";
import { noData } from "../errors";
import type { IntegrationContext, IntegrationInput } from "../types";
import { asNumber, asRecord, asString, baseUrlSchema, callProvider, clamp01, providerUrl } from "./provider-call";

export const pdlConfigSchema = z.object({
  baseUrl: baseUrlSchema("https://api.peopledatalabs.com"),
  /** PDL's 1-10 match likelihood a result must reach; a request's `params.min_likelihood` overrides it. */
  minLikelihood: z.number().int().min(1).max(10).optional(),
});

export type PdlConfig = z.infer<typeof pdlConfigSchema>;

/** PDL's error body: `{"status":404,"error":{"type":"not_found","message":"…"}}`. */
const pdlError = (body: unknown) => {
  const error = asRecord(asRecord(body).error);
  const type = asString(error.type);
  const message = asString(error.message);
  return type && message ? `${type}: ${message}` : (message ?? type);
};

/** A request's `params.min_likelihood`, when it is a valid one. */
export function paramsMinLikelihood(input: IntegrationInput): number | undefined {
  const fromParams = Number(input.params.min_likelihood);
  return Number.isInteger(fromParams) && fromParams >= 1 && fromParams <= 10 ? fromParams : undefined;
}

export const minLikelihoodOf = (input: IntegrationInput, config: PdlConfig): number | undefined => paramsMinLikelihood(input) ?? config.minLikelihood;

/**
 * GET {baseUrl}/v5/<endpoint> with the key in the `X-Api-Key` header. PDL answers 404 when nothing reaches
 * `min_likelihood`; a lower likelihood that still comes back is treated the same way.
 */
export async function pdlEnrich(ctx: IntegrationContext, config: PdlConfig, endpoint: string, query: Record<string, string | number | undefined>, minLikelihood: number | undefined) {
  const answer = await callProvider(ctx, providerUrl(config.baseUrl, `/v5/${endpoint}`, { ...query, min_likelihood: minLikelihood, titlecase: "true" }), {
    headers: { "x-api-key": ctx.credentials.apiKey ?? "" },
    errorDetail: pdlError,
  });
  const body = asRecord(answer.body);
  const likelihood = asNumber(body.likelihood);
  if (minLikelihood !== undefined && likelihood !== undefined && likelihood < minLikelihood) {
    throw noData(`People Data Labs' best match has likelihood ${likelihood}, below ${minLikelihood}`);
  }
  return { body, likelihood, confidence: likelihood === undefined ? 0.5 : clamp01(likelihood / 10) };
}

/** PDL gives profile URLs without a scheme ("linkedin.com/in/…"). */
export const profileUrl = (v: unknown) => {
  const s = asString(v);
  if (!s) return undefined;
  return /^https?:\/\//i.test(s) ? s : `https://${s}`;
};

/** Free plans answer `true` for contact fields they hide; only real strings count. */
export const realString = (v: unknown) => (typeof v === "string" ? asString(v) : undefined);
