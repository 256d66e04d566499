import { normalizeDomain } from "../../domain/attributes";
import { type DossierField, foundFields } from "../field-dictionary";
import type { Integration, IntegrationInput } from "../types";
import { minLikelihoodOf, paramsMinLikelihood, pdlConfigSchema, pdlEnrich, profileUrl, realString } from "./pdl-api";
import { asNumber, asRecord, asString, completenessOf, strings, trimForStorage } from "./provider-call";

const OUTPUTS = [
  "displayName",
  "alternativeNames",
  "website",
  "domain",
  "industry",
  "employeeCount",
  "employeeRange",
  "foundedYear",
  "description",
  "ticker",
  "linkedinUrl",
  "twitterUrl",
  "facebookUrl",
  "location",
] as const satisfies readonly DossierField[];

/** Unlike the person API, PDL's company answer carries the profile at the top level; these are the envelope. */
const ENVELOPE = new Set(["status", "likelihood"]);

function queryOf(input: IntegrationInput) {
  const a = input.attributes;
  const domain = typeof a.domain === "string" ? a.domain : undefined;
  return { website: domain, name: domain ? undefined : typeof a.name === "string" ? a.name : undefined };
}

export const pdlCompanyEnrich: Integration = {
  code: "pdl_company_enrich",
  name: "People Data Labs company enrichment",
  description:
    "Matches a company in People Data Labs (v5 Company Enrichment) by website or name, honouring min_likelihood: industry, size, founding year, description, ticker, social profiles and location.",
  entityTypes: ["company"],
  inputs: [["domain"], ["name"]],
  outputs: [...OUTPUTS],
  credits: 3,
  costCents: 10,
  timeoutMs: 15_000,
  retry: { maxAttempts: 3, baseDelayMs: 300 },
  maxConcurrency: 10,
  cache: { ttlSeconds: 30 * 24 * 3600, scope: "global" },
  credentialNames: ["apiKey"],
  enabledByDefault: false,
  configSchema: pdlConfigSchema,
  lookupKey(input) {
    const q = queryOf(input);
    return JSON.stringify([paramsMinLikelihood(input) ?? null, q.website ?? null, q.name?.toLowerCase() ?? null]);
  },
  async execute(input, ctx) {
    const config = pdlConfigSchema.parse(ctx.config);
    const minLikelihood = minLikelihoodOf(input, config);
    const { body, likelihood, confidence } = await pdlEnrich(ctx, config, "company/enrich", queryOf(input), minLikelihood);
    const website = profileUrl(realString(body.website));
    const fields = foundFields({
      displayName: asString(body.display_name) ?? asString(body.name),
      alternativeNames: strings(body.alternative_names).slice(0, 20),
      website,
      domain: website ? (normalizeDomain(website) ?? undefined) : undefined,
      industry: asString(body.industry),
      employeeCount: asNumber(body.employee_count),
      employeeRange: asString(body.size),
      foundedYear: asNumber(body.founded),
      description: asString(body.summary) ?? asString(body.headline),
      ticker: asString(body.ticker),
      linkedinUrl: profileUrl(realString(body.linkedin_url)),
      twitterUrl: profileUrl(realString(body.twitter_url)),
      facebookUrl: profileUrl(realString(body.facebook_url)),
      location: asString(asRecord(body.location).name),
    });
    const profile = Object.fromEntries(Object.entries(body).filter(([k]) => !ENVELOPE.has(k)));
    return {
      fields,
      enrichmentData: { likelihood: likelihood ?? null, minLikelihood: minLikelihood ?? null, company: trimForStorage(profile) },
      dataQuality: { completeness: completenessOf(fields, OUTPUTS), confidence },
      summary: `${String(fields.displayName ?? "Match")} (likelihood ${likelihood ?? "n/a"}/10)`,
    };
  },
};
