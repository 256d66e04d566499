import { OutboundUrlError, assertOutboundUrl } from "../../platform/lib/outbound-fetch";
import { EnrichmentError, errorFromResponse, missingInput, noData } from "../errors";
import type { Integration, IntegrationContext, IntegrationInput } from "../types";
import { extractPage } from "./html-extract";
import { type WebProfile, profileOf } from "./page-profile";

export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 3;

/** A company's `website` (else https://`domain`/), or a person's portfolio in `custom.website`. */
function targetOf(input: IntegrationInput): string {
  const a = input.attributes;
  const custom = typeof a.custom === "object" && a.custom !== null ? (a.custom as Record<string, unknown>) : {};
  const raw = input.entityType === "company" ? (a.website ?? (typeof a.domain === "string" ? `https://${a.domain}/` : undefined)) : custom.website;
  if (typeof raw !== "string" || raw.trim() === "") {
    throw missingInput(input.entityType === "company" ? "Needs the company's website or domain" : "Needs custom.website");
  }
  const value = raw.trim();
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
    url.hash = "";
    return url.toString();
  } catch {
    throw missingInput(`'${value}' is not a URL`);
  }
}

function fieldsOf(profile: WebProfile, entityType: IntegrationInput["entityType"]): Record<string, unknown> {
  const subject = entityType === "person" ? profile.person : profile.organization;
  const s = profile.socialProfiles;
  const fields: Record<string, unknown> = {
    name: subject?.name ?? (entityType === "company" ? profile.siteName : null),
    description: profile.description ?? subject?.description,
    websiteTitle: profile.title,
    canonicalUrl: profile.canonicalUrl,
    language: profile.language,
    logoUrl: entityType === "company" ? subject?.logo : null,
    photoUrl: entityType === "person" ? profile.person?.image : null,
    title: entityType === "person" ? subject?.jobTitle : null,
    linkedinUrl: s.linkedin,
    twitterUrl: s.twitter,
    githubUrl: s.github,
    facebookUrl: s.facebook,
    instagramUrl: s.instagram,
    youtubeUrl: s.youtube,
    socialProfiles: Object.keys(s).length > 0 ? s : null,
    contactEmails: profile.emails.length > 0 ? profile.emails : null,
    contactPhones: profile.phones.length > 0 ? profile.phones.map((p) => p.e164) : null,
    address: subject?.address,
    technologies: profile.technologies.length > 0 ? profile.technologies : null,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined && v !== ""));
}

/** The fields a complete profile has; completeness is the share present. */
const CORE_FIELDS = ["name", "description", "socialProfiles", "contactEmails", "contactPhones", "address"];

/** Websites answer with status codes, not provider errors: a 403 is a refusal to a crawler, not bad credentials. */
function errorForStatus(res: Response): EnrichmentError {
  if (res.status === 401 || res.status === 403) {
    return new EnrichmentError(`HTTP_${res.status}`, `The website refused the request (${res.status})`, "provider_failure", {
      statusCode: res.status,
    });
  }
  if (res.status === 404 || res.status === 410) return noData(`The website answered ${res.status}`);
  return errorFromResponse(res, "website");
}

async function fetchPage(url: string, ctx: IntegrationContext): Promise<Response> {
  try {
    assertOutboundUrl(url, { allowLoopback: ctx.settings.ALLOW_LOOPBACK_FETCH });
  } catch (error) {
    if (error instanceof OutboundUrlError) throw missingInput(`The website URL is not allowed: ${error.message}`);
    throw error;
  }
  try {
    return await ctx.fetch(url, {
      headers: { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1", "user-agent": "Mozilla/5.0 (compatible; DossierBot/0.1)" },
      maxRedirects: MAX_REDIRECTS,
    });
  } catch (error) {
    // The first URL passed the guard above, so a refusal here is about where the site redirected.
    if (error instanceof OutboundUrlError) throw noData(`The website's redirect was not followed: ${error.message}`);
    throw error;
  }
}

/** `web_profile`: what a company's website or a person's portfolio page says about them. */
export const webProfile: Integration = {
  code: "web_profile",
  name: "Website profile",
  description:
    "Fetches a company's website (or https://domain) or a person's portfolio page (custom.website) and extracts title, description, " +
    "Open Graph/Twitter tags, canonical URL, language, social profiles, contact emails and phones, JSON-LD organization/person data " +
    "and technology hints. Reads at most 2 MiB, follows at most 3 redirects, refuses private addresses.",
  entityTypes: ["company", "person"],
  inputs: [["website"], ["domain"], ["custom.website"]],
  outputs: [
    "name",
    "description",
    "websiteTitle",
    "canonicalUrl",
    "language",
    "logoUrl",
    "photoUrl",
    "title",
    "linkedinUrl",
    "twitterUrl",
    "githubUrl",
    "facebookUrl",
    "instagramUrl",
    "youtubeUrl",
    "socialProfiles",
    "contactEmails",
    "contactPhones",
    "address",
    "technologies",
  ],
  credits: 1,
  costCents: 0,
  timeoutMs: 10_000,
  retry: { maxAttempts: 2, baseDelayMs: 500 },
  maxConcurrency: 10,
  cache: { ttlSeconds: 3 * 24 * 3600, scope: "global" },
  credentialNames: [],
  enabledByDefault: true,
  lookupKey(input) {
    // The country decides how national phone numbers on the page are read.
    const country = typeof input.attributes.country === "string" ? input.attributes.country.toUpperCase() : "";
    return JSON.stringify([input.entityType, targetOf(input), country]);
  },
  async execute(input, ctx) {
    const url = targetOf(input);
    const res = await fetchPage(url, ctx);
    if (!res.ok) {
      await res.body?.cancel();
      throw errorForStatus(res);
    }
    const type = (res.headers.get("content-type") ?? "").toLowerCase();
    if (type && !type.includes("html")) {
      await res.body?.cancel();
      throw noData(`The website answered ${type.split(";")[0]}, not an HTML page`);
    }
    const page = await extractPage(res, MAX_PAGE_BYTES);
    const profile = profileOf(page, res.url || url, input.attributes.country);
    const fields = fieldsOf(profile, input.entityType);
    if (Object.keys(fields).length === 0) throw noData("The page had nothing to extract");
    const completeness = CORE_FIELDS.filter((f) => f in fields).length / CORE_FIELDS.length;
    return {
      enrichmentData: { ...profile },
      fields,
      dataQuality: { completeness, confidence: profile.truncated ? 0.8 : 0.9 },
      summary: `${profile.title ?? profile.url}: ${Object.keys(fields).length} fields${profile.truncated ? " (page truncated at 2 MiB)" : ""}`,
    };
  },
};
