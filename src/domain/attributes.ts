import { z } from "@hono/zod-openapi";
import { getCountries } from "libphonenumber-js";
import { parse as parseDomain } from "tldts";

const countryCodes = new Set<string>(getCountries());

const trimmed = (max = 500) => z.string().trim().min(1).max(max);

export const countrySchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => countryCodes.has(v), "Must be an ISO 3166-1 alpha-2 country code")
  .openapi({ example: "GB" });

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("Must be an email address"))
  .openapi({ example: "ada@example.com" });

/** Accepts a bare domain or a URL and keeps only the host, without `www.` or a trailing dot. */
export function normalizeDomain(input: string): string | null {
  const value = input.trim().toLowerCase();
  if (!value) return null;
  const parsed = parseDomain(value.includes("://") ? value : `http://${value}`);
  if (!parsed.hostname || !parsed.domain || parsed.isIp) return null;
  return parsed.hostname.replace(/^www\./, "").replace(/\.$/, "");
}

export const domainSchema = z
  .string()
  .transform((v, ctx) => {
    const domain = normalizeDomain(v);
    if (!domain) {
      ctx.addIssue({ code: "custom", message: "Must be a domain name such as example.com" });
      return z.NEVER;
    }
    return domain;
  })
  .openapi({ type: "string", example: "example.com" });

export const urlSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    try {
      const url = new URL(v.includes("://") ? v : `https://${v}`);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
      url.hash = "";
      return url.toString();
    } catch {
      ctx.addIssue({ code: "custom", message: "Must be an http(s) URL" });
      return z.NEVER;
    }
  })
  .openapi({ type: "string", example: "https://example.com" });

const linkedinSchema = urlSchema.refine((v) => /(^|\.)linkedin\.com$/.test(new URL(v).hostname), "Must be a linkedin.com URL");

const dateOfBirthSchema = z
  .string()
  .trim()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, "Use YYYY, YYYY-MM or YYYY-MM-DD")
  .openapi({ example: "1970-01-31" });

const customSchema = z
  .record(z.string().max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 50, "At most 50 custom attributes")
  .openapi({ description: "Free-form scalar attributes of your own." });

const joinName = (a: { firstName?: unknown; lastName?: unknown }) =>
  [a.firstName, a.lastName].filter((v): v is string => typeof v === "string" && v !== "").join(" ") || undefined;

const domainOfWebsite = (a: { website?: unknown }) => (typeof a.website === "string" ? (normalizeDomain(a.website) ?? undefined) : undefined);

export const personAttributesSchema = z
  .strictObject({
    fullName: trimmed(300).optional(),
    firstName: trimmed(150).optional(),
    lastName: trimmed(150).optional(),
    email: emailSchema.optional(),
    phone: trimmed(50).optional(),
    title: trimmed(300).optional(),
    companyName: trimmed(300).optional(),
    companyDomain: domainSchema.optional(),
    linkedinUrl: linkedinSchema.optional(),
    country: countrySchema.optional(),
    dateOfBirth: dateOfBirthSchema.optional(),
    custom: customSchema.optional(),
  })
  .transform((a) => ({
    ...a,
    fullName: a.fullName ?? joinName(a),
  }))
  .openapi("PersonAttributes");

export const companyAttributesSchema = z
  .strictObject({
    name: trimmed(300).optional(),
    domain: domainSchema.optional(),
    website: urlSchema.optional(),
    country: countrySchema.optional(),
    registrationNumber: trimmed(100).optional(),
    lei: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{18}[0-9]{2}$/, "Must be a 20-character LEI")
      .optional(),
    custom: customSchema.optional(),
  })
  .transform((a) => ({ ...a, domain: a.domain ?? domainOfWebsite(a) }))
  .openapi("CompanyAttributes");

export const ENTITY_TYPES = ["person", "company"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
export type Attributes = Record<string, unknown>;

export const attributeSchemaFor = (type: EntityType) => (type === "person" ? personAttributesSchema : companyAttributesSchema);

/** Fields filled from others when the client leaves them out: person fullName, company domain. */
const derivedFields: { field: string; sources: string[]; derive: (a: Attributes) => unknown }[] = [
  { field: "fullName", sources: ["firstName", "lastName"], derive: joinName },
  { field: "domain", sources: ["website"], derive: domainOfWebsite },
];

/**
 * Merges a PATCH into stored attributes. A derived value that still equals what its sources gave is
 * dropped when a source changes, so normalizing the result derives it afresh instead of keeping a stale one.
 */
export function mergeAttributes(existing: Attributes, patch: Attributes): Attributes {
  const merged: Attributes = { ...existing, ...patch };
  for (const { field, sources, derive } of derivedFields) {
    const sourceChanged = sources.some((s) => s in patch);
    if (sourceChanged && !(field in patch) && existing[field] !== undefined && existing[field] === derive(existing)) {
      delete merged[field];
    }
  }
  return merged;
}

/** Drops undefined values so stored JSON only holds what is known. */
export function compact(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined && v !== null));
}

export function searchTextOf(type: EntityType, externalId: string | null, a: Attributes): string {
  const fields =
    type === "person" ? ["fullName", "email", "companyName", "companyDomain", "phone"] : ["name", "domain", "registrationNumber", "lei"];
  return [externalId, ...fields.map((f) => a[f])]
    .filter((v): v is string => typeof v === "string")
    .join(" ")
    .toLowerCase();
}
