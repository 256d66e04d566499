import { normalizeDomain } from "../../domain/attributes";
import { noData } from "../errors";
import { type DossierField, foundFields } from "../field-dictionary";
import type { Integration, IntegrationInput } from "../types";
import { minLikelihoodOf, paramsMinLikelihood, pdlConfigSchema, pdlEnrich, profileUrl, realString } from "./pdl-api";
import { asRecord, asString, completenessOf, strings, trimForStorage } from "./provider-call";

const OUTPUTS = [
  "fullName",
  "firstName",
  "lastName",
  "jobTitle",
  "seniority",
  "jobFunction",
  "companyName",
  "companyDomain",
  "email",
  "personalEmails",
  "phoneE164",
  "linkedinUrl",
  "twitterUrl",
  "githubUrl",
  "facebookUrl",
  "location",
  "industry",
  "skills",
] as const satisfies readonly DossierField[];


/** The identifiers PDL matches on; a name alone is not enough, it needs a company with it. */
function queryOf(input: IntegrationInput) {
  const a = input.attributes;
  const name = asString(a.fullName);
  const company = asString(a.companyDomain) ?? asString(a.companyName);
  return {
    email: asString(a.email),
    profile: asString(a.linkedinUrl),
    phone: asString(a.phone),
    name: name && company ? name : undefined,
    company: name && company ? company : undefined,
  };
}

const domainOf = (v: unknown) => {
  const s = realString(v);
  return s ? (normalizeDomain(s) ?? undefined) : undefined;
};

export const pdlPersonEnrich: Integration = {
  code: "pdl_person_enrich",
  name: "People Data Labs person enrichment",
  description:
    "Matches a person in People Data Labs (v5 Person Enrichment) by email, LinkedIn URL, phone, or name with company, honouring min_likelihood: current title and employer, contact details, social profiles, location and skills.",
  entityTypes: ["person"],
  inputs: [["email"], ["linkedinUrl"], ["phone"], ["fullName", "companyDomain"], ["fullName", "companyName"]],
  outputs: [...OUTPUTS],
  credits: 5,
  costCents: 28,
  timeoutMs: 15_000,
  retry: { maxAttempts: 3, baseDelayMs: 300 },
  maxConcurrency: 10,
  cache: { ttlSeconds: 30 * 24 * 3600, scope: "global" },
  credentialNames: ["apiKey"],
  enabledByDefault: false,
  configSchema: pdlConfigSchema,
  lookupKey(input) {
    const q = queryOf(input);
    return JSON.stringify([paramsMinLikelihood(input) ?? null, q.email ?? null, q.profile ?? null, q.phone ?? null, q.name?.toLowerCase() ?? null, q.company?.toLowerCase() ?? null]);
  },
  async execute(input, ctx) {
    const config = pdlConfigSchema.parse(ctx.config);
    const minLikelihood = minLikelihoodOf(input, config);
    const { body, likelihood, confidence } = await pdlEnrich(ctx, config, "person/enrich", queryOf(input), minLikelihood);
    const person = asRecord(body.data);
    if (Object.keys(person).length === 0) throw noData("People Data Labs returned no person");
    const fields = foundFields({
      fullName: asString(person.full_name),
      firstName: asString(person.first_name),
      lastName: asString(person.last_name),
      jobTitle: asString(person.job_title),
      seniority: strings(person.job_title_levels)[0],
      jobFunction: asString(person.job_title_role),
      companyName: asString(person.job_company_name),
      companyDomain: domainOf(person.job_company_website),
      email: realString(person.work_email)?.toLowerCase(),
      personalEmails: strings(person.personal_emails),
      phoneE164: realString(person.mobile_phone),
      linkedinUrl: profileUrl(realString(person.linkedin_url)),
      twitterUrl: profileUrl(realString(person.twitter_url)),
      githubUrl: profileUrl(realString(person.github_url)),
      facebookUrl: profileUrl(realString(person.facebook_url)),
      location: realString(person.location_name),
      industry: asString(person.industry),
      skills: strings(person.skills).slice(0, 25),
    });
    return {
      fields,
      enrichmentData: { likelihood: likelihood ?? null, minLikelihood: minLikelihood ?? null, person: trimForStorage(person) },
      dataQuality: { completeness: completenessOf(fields, OUTPUTS), confidence },
      summary: `${String(fields.fullName ?? "Match")} (likelihood ${likelihood ?? "n/a"}/10)`,
    };
  },
};
