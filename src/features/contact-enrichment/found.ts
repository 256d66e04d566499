import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import type { ContactField, ContactFound } from "../../db/schema/contact-enrichment";
import type { EnrichmentResult } from "../enrichment";

const email = z.email();

interface Candidate {
  raw: string;
  /** An item's own confidence (ranked candidates carry one), else the result's. */
  confidence?: number;
}

/** What a field holds: the value itself, or the items of a list (strings, or objects naming the address or number). */
function candidates(value: unknown): Candidate[] {
  if (typeof value === "string") return [{ raw: value }];
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Candidate[] => {
    if (typeof item === "string") return [{ raw: item }];
    if (!item || typeof item !== "object") return [];
    const record = item as Record<string, unknown>;
    const raw = ["value", "email", "address", "phone", "number"].map((k) => record[k]).find((v) => typeof v === "string");
    if (typeof raw !== "string") return [];
    return [{ raw, confidence: typeof record.confidence === "number" ? record.confidence : undefined }];
  });
}

const normalizers: Record<ContactField, { key: RegExp; normalize: (raw: string, region: CountryCode | undefined) => string | null }> = {
  emails: {
    key: /email/i,
    normalize: (raw) => {
      const value = raw.trim().toLowerCase();
      return email.safeParse(value).success ? value : null;
    },
  },
  phones: {
    key: /phone/i,
    normalize: (raw, region) => {
      const phone = parsePhoneNumberFromString(raw, region);
      return phone?.isValid() ? phone.number : null;
    },
  },
};

const regionOf = (country: unknown) =>
  typeof country === "string" && isSupportedCountry(country.toUpperCase()) ? (country.toUpperCase() as CountryCode) : undefined;

/** Which attribute holds the person's own address or number. */
const OWN_ATTRIBUTE: Record<ContactField, string> = { emails: "email", phones: "phone" };

/**
 * The email or phone the person already has, normalized as found values are (lower-cased address, E.164 number):
 * finding it again is not a discovery.
 */
export function ownContacts(field: ContactField, attributes: Record<string, unknown>): Set<string> {
  const raw = attributes[OWN_ATTRIBUTE[field]];
  const normalized = typeof raw === "string" ? normalizers[field].normalize(raw, regionOf(attributes.country)) : null;
  return new Set(normalized ? [normalized] : []);
}

/**
 * The emails or phones one integration result found, normalized (lower-cased addresses, E.164 numbers) and
 * de-duplicated. Integrations name their fields differently (`email`, `emails`, `workEmail`, `phoneE164` …),
 * so every field whose name mentions the kind is read; values that do not parse as one are ignored.
 */
export function contactsFound(field: ContactField, result: EnrichmentResult, country: unknown): ContactFound[] {
  if (!result.success || !result.fields) return [];
  const { key, normalize } = normalizers[field];
  const region = regionOf(country);
  const confidence = result.result?.dataQuality.confidence ?? 0;
  const found = new Map<string, ContactFound>();
  for (const [name, value] of Object.entries(result.fields)) {
    if (!key.test(name)) continue;
    for (const candidate of candidates(value)) {
      const normalized = normalize(candidate.raw, region);
      if (!normalized || found.has(normalized)) continue;
      found.set(normalized, { value: normalized, source: result.integrationCode, confidence: candidate.confidence ?? confidence });
    }
  }
  return [...found.values()];
}
