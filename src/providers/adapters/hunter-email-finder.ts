import { z } from "zod";
import { normalizeDomain } from "../../domain/attributes";
import { noData } from "../errors";
import { type DossierField, foundFields } from "../field-dictionary";
import type { Integration, IntegrationInput } from "../types";
import { hunterBaseUrl, hunterGet } from "./hunter-api";
import { asNumber, asRecord, asString, clamp01, completenessOf, trimForStorage } from "./provider-call";

const configSchema = z.object({ baseUrl: hunterBaseUrl });

const OUTPUTS = ["email", "jobTitle", "linkedinUrl", "twitterUrl", "phoneE164", "companyName"] as const satisfies readonly DossierField[];


/** Hunter takes a domain (better) or a company name, and first + last name or a full name. */
function queryOf(input: IntegrationInput) {
  const a = input.attributes;
  const domain = asString(a.companyDomain) ? (normalizeDomain(String(a.companyDomain)) ?? undefined) : undefined;
  const first = asString(a.firstName);
  const last = asString(a.lastName);
  return {
    domain,
    company: domain ? undefined : asString(a.companyName),
    first_name: first && last ? first : undefined,
    last_name: first && last ? last : undefined,
    full_name: first && last ? undefined : asString(a.fullName),
  };
}

const twitterUrlOf = (handle: string | undefined) =>
  handle ? (/^https?:\/\//.test(handle) ? handle : `https://x.com/${handle.replace(/^@/, "")}`) : undefined;

export const hunterEmailFinder: Integration = {
  code: "hunter_email_finder",
  name: "Hunter Email Finder",
  description:
    "Finds a person's most likely work email from their name and company domain (or company name) with Hunter's Email Finder, with Hunter's confidence score, position and social profiles.",
  entityTypes: ["person"],
  inputs: [
    ["companyDomain", "fullName"],
    ["companyName", "fullName"],
  ],
  outputs: [...OUTPUTS],
  credits: 2,
  costCents: 3,
  timeoutMs: 15_000,
  retry: { maxAttempts: 3, baseDelayMs: 300 },
  // Hunter allows 15 requests a second on this endpoint.
  maxConcurrency: 10,
  cache: { ttlSeconds: 30 * 24 * 3600, scope: "global" },
  credentialNames: ["apiKey"],
  enabledByDefault: false,
  configSchema,
  lookupKey(input) {
    const q = queryOf(input);
    return JSON.stringify([q.domain ?? null, q.company?.toLowerCase() ?? null, q.first_name?.toLowerCase() ?? null, q.last_name?.toLowerCase() ?? null, q.full_name?.toLowerCase() ?? null]);
  },
  async execute(input, ctx) {
    const { baseUrl } = configSchema.parse(ctx.config);
    const { data, meta } = await hunterGet(ctx, baseUrl, "email-finder", queryOf(input));
    const email = asString(data.email);
    if (!email) throw noData("Hunter found no email for this person");
    const phone = asString(data.phone_number);
    const fields = foundFields({
      email: email.toLowerCase(),
      jobTitle: asString(data.position),
      linkedinUrl: asString(data.linkedin_url),
      twitterUrl: twitterUrlOf(asString(data.twitter)),
      phoneE164: phone && /^\+\d{6,15}$/.test(phone) ? phone : undefined,
      companyName: asString(data.company),
    });
    const score = asNumber(data.score);
    const verification = asRecord(data.verification);
    return {
      fields,
      enrichmentData: {
        email,
        score: score ?? null,
        domain: data.domain ?? null,
        acceptAll: data.accept_all ?? null,
        verification: { status: verification.status ?? null, date: verification.date ?? null },
        sources: trimForStorage(data.sources),
        params: trimForStorage(meta.params),
      },
      // Hunter's score is 0-100; without one the address is only a guess.
      dataQuality: { completeness: completenessOf(fields, OUTPUTS), confidence: score === undefined ? 0.5 : clamp01(score / 100) },
      summary: `${email} (Hunter score ${score ?? "n/a"})`,
    };
  },
};
