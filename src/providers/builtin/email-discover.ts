import { getDomain } from "tldts";
import { normalizeDomain } from "../../domain/attributes";
import { missingInput, noData } from "../errors";
import type { Integration, IntegrationInput } from "../types";
import { analyzeEmail } from "./email-address";
import { countPatterns, globalPatternCounts, organizationObservations, recordObservations } from "./email-pattern-store";
import { type PatternCounts, patternShares, rankCandidates } from "./email-patterns";
import { type MailDomainStatus, lookupMailDomain } from "./mail-domain";
import { type PersonName, personNameOf } from "./person-name";

/** How much an unconfirmed mail setup lowers every candidate. */
const MAIL_FACTOR: Partial<Record<MailDomainStatus, number>> = { mx: 1, implicit_a: 0.6, dns_failure: 0.7 };
const CANDIDATES_ANSWERED = 8;

function targetOf(input: IntegrationInput): { name: PersonName; domain: string } {
  const name = personNameOf(input.attributes);
  if (!name) throw missingInput("Needs a first and last name (or a full name) written in Latin letters");
  const raw = input.attributes.companyDomain;
  const host = typeof raw === "string" ? normalizeDomain(raw) : null;
  // People's addresses live at the organization's registrable domain, not at www. or regional subdomains.
  const domain = host ? getDomain(host) : null;
  if (!domain) throw missingInput("Needs the person's companyDomain");
  return { name, domain };
}

const total = (counts: PatternCounts) => Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);

/** `email_discover` (the "emails" enrichment): likely work addresses from a name and a company domain. */
export const emailDiscover: Integration = {
  code: "email_discover",
  name: "Email discovery",
  description:
    "Generates a person's likely work addresses from their name and companyDomain (first.last, flast, first, …), ranked by the format " +
    "the domain is known to use from verified addresses (your organization's people and addresses validated anywhere), else by a " +
    "prior over common formats; checks the domain's MX records. Answers ranked candidates with confidence and the evidence used.",
  entityTypes: ["person"],
  inputs: [
    ["firstName", "lastName", "companyDomain"],
    ["fullName", "companyDomain"],
  ],
  outputs: ["email", "emailCandidates"],
  credits: 1,
  costCents: 0,
  timeoutMs: 8000,
  retry: { maxAttempts: 3, baseDelayMs: 200 },
  maxConcurrency: 10,
  // The ranking uses this organization's own contacts: its answers are not shared with other organizations.
  cache: { ttlSeconds: 24 * 3600, scope: "organization" },
  credentialNames: [],
  enabledByDefault: true,
  lookupKey(input) {
    const { name, domain } = targetOf(input);
    return JSON.stringify([name.first, name.last, domain]);
  },
  async execute(input, ctx) {
    const { name, domain } = targetOf(input);
    const provider = analyzeEmail(`postmaster@${domain}`);
    if (provider?.freeProvider || provider?.disposable) {
      throw noData(`${domain} is a ${provider.freeProvider ? "free-mail" : "disposable-mail"} provider, not an employer's domain`);
    }
    const mail = await lookupMailDomain(ctx, domain);
    const mailFactor = MAIL_FACTOR[mail.status];
    // A failed lookup proves nothing either way: candidates are answered, with less confidence.
    if (mailFactor === undefined) throw noData(`${domain} accepts no mail (${mail.status})`);

    const organization = await organizationObservations(ctx.db, ctx.orgId, domain);
    await recordObservations(ctx.db, ctx.settings, organization);
    const organizationCounts = countPatterns(organization);
    const globalCounts = await globalPatternCounts(ctx.db, domain);
    const shares = patternShares(globalCounts, organizationCounts);
    const ranked = rankCandidates(name, shares).slice(0, CANDIDATES_ANSWERED);
    const [best] = ranked;
    if (!best) throw noData("No candidate address could be formed from the name");

    const candidates = ranked.map((c) => ({
      email: `${c.localPart}@${domain}`,
      pattern: c.pattern,
      confidence: Math.round(c.score * mailFactor * 1000) / 1000,
    }));
    const basis = total(organizationCounts) > 0 ? "organization" : total(globalCounts) > 0 ? "global" : "prior";
    const top = candidates[0] ?? { email: "", pattern: best.pattern, confidence: 0 };
    return {
      // Candidates ranked without knowing whether the domain takes mail are not kept: a later call may know.
      ...(mail.status === "dns_failure" ? { cacheTtlSeconds: 0 } : {}),
      enrichmentData: {
        domain,
        candidates,
        evidence: {
          basis,
          mailDomain: { status: mail.status, mx: mail.mx, ...(mail.failure ? { failure: mail.failure } : {}) },
          organizationAddresses: total(organizationCounts),
          globalAddresses: total(globalCounts),
          organizationPatternCounts: organizationCounts,
          globalPatternCounts: globalCounts,
        },
      },
      fields: { email: top.email, emailCandidates: candidates.slice(0, 5) },
      dataQuality: { completeness: name.last.length > 0 ? 1 : 0.5, confidence: top.confidence },
      summary: `${top.email} (${top.pattern}, ${Math.round(top.confidence * 100)}% from ${basis === "prior" ? "common formats" : `${basis} evidence`})`,
    };
  },
};
