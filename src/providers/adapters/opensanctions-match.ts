import { z } from "zod";
import { EnrichmentError } from "../errors";
import { type DossierField, foundFields } from "../field-dictionary";
import type { Integration, IntegrationInput } from "../types";
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  baseUrlSchema,
  callProvider,
  compactObject,
  providerUrl,
  strings,
  trimForStorage,
} from "./provider-call";

const configSchema = z.object({
  /** The hosted API, or a self-hosted yente instance. */
  baseUrl: baseUrlSchema("https://api.opensanctions.org"),
  dataset: z
    .string()
    .regex(/^[a-z0-9_]{1,100}$/, "A dataset name such as default or sanctions")
    .default("default"),
  /** A result at or above this score is a hit. */
  threshold: z.number().min(0).max(1).default(0.7),
  limit: z.number().int().min(1).max(50).default(5),
  /** A yente scoring algorithm (e.g. logic-v1); the provider's default when absent. */
  algorithm: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/)
    .optional(),
});

const OUTPUTS = ["sanctionsHit", "pepHit", "riskTopics", "screeningMatches"] as const satisfies readonly DossierField[];

const SANCTION_TOPICS = new Set(["sanction", "sanction.linked"]);
const PEP_TOPICS = new Set(["role.pep", "role.rca"]);

/** The query-by-example the /match endpoint takes, in FollowTheMoney property names. */
function queryOf(input: IntegrationInput) {
  const a = input.attributes;
  const list = (v: unknown) => (typeof v === "string" && v !== "" ? [v] : undefined);
  if (input.entityType === "person") {
    return {
      schema: "Person",
      properties: compactObject({
        name: list(a.fullName),
        birthDate: list(a.dateOfBirth),
        country: list(a.country),
        email: list(a.email),
      }),
    };
  }
  return {
    schema: "Company",
    properties: compactObject({
      name: list(a.name),
      country: list(a.country),
      registrationNumber: list(a.registrationNumber),
      leiCode: list(a.lei),
    }),
  };
}

interface Scored {
  id: string;
  name: string;
  schema: string | undefined;
  score: number;
  topics: string[];
  datasets: string[];
}

function scoredResults(body: unknown): Scored[] {
  const matches = asRecord(asRecord(asRecord(body).responses).q1);
  const status = asNumber(matches.status);
  if (status !== undefined && status >= 400) {
    throw new EnrichmentError(`HTTP_${status}`, `The query failed at the provider (${status})`, "provider_failure", {
      statusCode: status,
      retryable: status >= 500,
    });
  }
  return asArray(matches.results).map((raw) => {
    const r = asRecord(raw);
    return {
      id: asString(r.id) ?? "",
      name: asString(r.caption) ?? "",
      schema: asString(r.schema),
      score: asNumber(r.score) ?? 0,
      topics: strings(asRecord(r.properties).topics),
      datasets: strings(r.datasets),
    };
  });
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export const opensanctionsMatch: Integration = {
  code: "opensanctions_match",
  name: "OpenSanctions screening",
  description:
    "Sanctions and PEP screening against OpenSanctions (hosted API with an API key, or a self-hosted yente without one) through its /match endpoint: scored candidates with their topics and datasets; a hit is a score at or above the configured threshold.",
  entityTypes: ["person", "company"],
  inputs: [["fullName"], ["name"]],
  outputs: [...OUTPUTS],
  credits: 2,
  costCents: 10,
  timeoutMs: 10_000,
  retry: { maxAttempts: 3, baseDelayMs: 250 },
  maxConcurrency: 10,
  // Lists change daily; a screening older than half a day is not worth trusting.
  cache: { ttlSeconds: 12 * 3600, scope: "global" },
  // The hosted API needs `apiKey`; a self-hosted yente needs none, so it is optional.
  credentialNames: [],
  enabledByDefault: false,
  configSchema,
  lookupKey(input) {
    const { properties, schema } = queryOf(input);
    return JSON.stringify([schema, properties]);
  },
  async execute(input, ctx) {
    const config = configSchema.parse(ctx.config);
    const url = providerUrl(config.baseUrl, `/match/${config.dataset}`, {
      threshold: config.threshold,
      limit: config.limit,
      algorithm: config.algorithm,
    });
    const answer = await callProvider(ctx, url, {
      method: "POST",
      json: { queries: { q1: queryOf(input) } },
      headers: ctx.credentials.apiKey ? { authorization: `ApiKey ${ctx.credentials.apiKey}` } : {},
      // yente (FastAPI) words its errors as {"detail": "..."}.
      errorDetail: (body) => asString(asRecord(body).detail),
    });
    const results = scoredResults(answer.body);
    const hits = results.filter((r) => r.score >= config.threshold);
    const topics = [...new Set(hits.flatMap((h) => h.topics))].sort();
    const best = results.reduce((max, r) => Math.max(max, r.score), 0);
    const fields = foundFields({
      sanctionsHit: hits.some((h) => h.topics.some((t) => SANCTION_TOPICS.has(t))),
      pepHit: hits.some((h) => h.topics.some((t) => PEP_TOPICS.has(t))),
      riskTopics: topics,
      screeningMatches: hits.map((h) => ({ ...h, score: round(h.score), source: "opensanctions" })),
    });
    return {
      fields,
      enrichmentData: {
        dataset: config.dataset,
        threshold: config.threshold,
        hit: hits.length > 0,
        results: results.map((r) => ({ ...r, score: round(r.score), match: r.score >= config.threshold })),
        query: trimForStorage(queryOf(input)),
      },
      // A clean screening is as confident as the best candidate is weak.
      dataQuality: { completeness: 1, confidence: round(hits.length > 0 ? best : 1 - best) },
      summary:
        hits.length > 0
          ? `${hits.length} match${hits.length === 1 ? "" : "es"} at or above ${config.threshold}${topics.length ? `: ${topics.join(", ")}` : ""}`
          : `No match at or above ${config.threshold} (best score ${round(best)})`,
    };
  },
};
