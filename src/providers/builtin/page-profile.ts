import { type CountryCode, findPhoneNumbersInText, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { parse as parseHost } from "tldts";
import { analyzeEmail } from "./email-address";
import type { RawPage } from "./html-extract";
import { type JsonLdSubject, jsonLdSubjects } from "./json-ld";
import { type SocialNetwork, socialProfilesOf } from "./social-profiles";
import { techHints } from "./tech-hints";

export interface FoundPhone {
  e164: string;
  international: string;
  country: string | null;
  lineType: string | null;
}

export interface WebProfile {
  url: string;
  title: string | null;
  description: string | null;
  siteName: string | null;
  canonicalUrl: string | null;
  language: string | null;
  openGraph: Record<string, string>;
  twitterCard: Record<string, string>;
  socialProfiles: Partial<Record<SocialNetwork, string>>;
  emails: string[];
  phones: FoundPhone[];
  organization: JsonLdSubject | null;
  person: JsonLdSubject | null;
  generator: string | null;
  technologies: string[];
  bytesRead: number;
  truncated: boolean;
}

const MAX_EMAILS = 20;
const MAX_PHONES = 10;

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—", hellip: "…" };

/** Text handlers see markup text as written; character references are decoded here. */
export function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, ref: string) => {
    if (ref[0] !== "#") return NAMED_ENTITIES[ref.toLowerCase()] ?? match;
    const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

const absolute = (href: string | null | undefined, base: string): string | null => {
  if (!href) return null;
  try {
    const url = new URL(decodeEntities(href), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
};

/** The region national numbers on the page are read in: the entity's country, else a ccTLD (.de, .co.uk). */
export function regionFor(host: string, country: unknown): CountryCode | undefined {
  if (typeof country === "string" && isSupportedCountry(country.toUpperCase())) return country.toUpperCase() as CountryCode;
  const tld = (parseHost(host).publicSuffix ?? "").split(".").pop()?.toUpperCase() ?? "";
  const code = tld === "UK" ? "GB" : tld;
  return code.length === 2 && isSupportedCountry(code) ? (code as CountryCode) : undefined;
}

function emailsOf(page: RawPage): string[] {
  const found = new Set<string>();
  const add = (candidate: string) => {
    const address = analyzeEmail(candidate);
    // A known public suffix keeps out look-alikes such as "logo@2x.png".
    if (address && parseHost(address.domain).isIcann) found.add(address.normalized);
  };
  for (const href of page.links) {
    if (!/^mailto:/i.test(href)) continue;
    const targets = decodeEntities(href.slice(7)).split("?")[0] ?? "";
    for (const target of targets.split(",")) add(safeDecode(target));
  }
  for (const match of page.text.matchAll(/[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi)) add(match[0]);
  return [...found].slice(0, MAX_EMAILS);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function phonesOf(page: RawPage, region: CountryCode | undefined): FoundPhone[] {
  const found = new Map<string, FoundPhone>();
  const add = (phone: ReturnType<typeof parsePhoneNumberFromString>) => {
    if (!phone?.isValid() || found.has(phone.number)) return;
    found.set(phone.number, {
      e164: phone.number,
      international: phone.formatInternational(),
      country: phone.country ?? null,
      lineType: phone.getType()?.toLowerCase() ?? null,
    });
  };
  for (const href of page.links) {
    if (/^tel:/i.test(href)) add(parsePhoneNumberFromString(safeDecode(decodeEntities(href.slice(4))), region));
  }
  for (const match of findPhoneNumbersInText(page.text, { defaultCountry: region })) add(match.number);
  return [...found.values()].slice(0, MAX_PHONES);
}

const prefixed = (meta: Record<string, string>, prefix: string) =>
  Object.fromEntries(
    Object.entries(meta)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), decodeEntities(v)]),
  );

/** Interprets what the rewriter collected from the page at `url` (the final URL after redirects). */
export function profileOf(page: RawPage, url: string, country: unknown): WebProfile {
  const meta = page.meta;
  const openGraph = prefixed(meta, "og:");
  const twitterCard = prefixed(meta, "twitter:");
  const { organization, person } = jsonLdSubjects(page.jsonLd);
  const hrefs = page.links.map((h) => decodeEntities(h));
  const social = socialProfilesOf([...hrefs, ...(organization?.sameAs ?? []), ...(person?.sameAs ?? [])], url);
  const description = meta.description ?? openGraph.description ?? twitterCard.description;
  const subject = organization ?? person;
  const region = regionFor(new URL(url).hostname, country);
  const phones = phonesOf(page, region);
  if (subject?.telephone) {
    const declared = parsePhoneNumberFromString(subject.telephone, region);
    if (declared?.isValid() && !phones.some((p) => p.e164 === declared.number)) {
      phones.unshift({
        e164: declared.number,
        international: declared.formatInternational(),
        country: declared.country ?? null,
        lineType: declared.getType()?.toLowerCase() ?? null,
      });
    }
  }
  const emails = emailsOf(page);
  const declaredEmail = subject?.email ? analyzeEmail(subject.email)?.normalized : undefined;
  if (declaredEmail && !emails.includes(declaredEmail)) emails.unshift(declaredEmail);
  return {
    url,
    title: page.title ? decodeEntities(page.title) : (openGraph.title ?? null),
    description: description ? decodeEntities(description) : null,
    siteName: openGraph.site_name ?? null,
    canonicalUrl: absolute(page.canonical, url),
    language: page.lang ?? meta["content-language"] ?? openGraph.locale ?? null,
    openGraph,
    twitterCard,
    socialProfiles: social,
    emails,
    phones: phones.slice(0, MAX_PHONES),
    organization: organization && { ...organization, logo: absolute(organization.logo, url) },
    person: person && { ...person, image: absolute(person.image, url) },
    generator: meta.generator ? decodeEntities(meta.generator) : null,
    technologies: techHints(meta.generator, [...page.scriptSrcs, ...page.stylesheets].map((s) => absolute(s, url) ?? s)),
    bytesRead: page.bytesRead,
    truncated: page.truncated,
  };
}
