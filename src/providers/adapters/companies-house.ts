import { z } from "zod";
import { EnrichmentError, noData } from "../errors";
import { type DossierField, foundFields } from "../field-dictionary";
import type { Integration, IntegrationContext } from "../types";
import {
  asArray,
  asRecord,
  asString,
  baseUrlSchema,
  callProvider,
  compactObject,
  completenessOf,
  providerUrl,
  strings,
  trimForStorage,
} from "./provider-call";

const configSchema = z.object({
  baseUrl: baseUrlSchema("https://api.company-information.service.gov.uk"),
});

const OUTPUTS = [
  "legalName",
  "registrationNumber",
  "companyStatus",
  "legalForm",
  "jurisdiction",
  "registeredAddress",
  "incorporationDate",
  "dissolutionDate",
  "sicCodes",
  "previousNames",
  "officers",
] as const satisfies readonly DossierField[];

const MAX_OFFICERS = 25;

/** Companies House words errors as `{"errors":[{"error","type"}]}` or `{"error","type"}`. */
const chError = (body: unknown) => {
  const b = asRecord(body);
  return asString(asRecord(asArray(b.errors)[0]).error) ?? asString(b.error);
};

/** Company numbers are 8 characters: digits (zero-padded) or a 2-letter prefix and 6 digits (SC, NI, OC …). */
export function normalizeCompanyNumber(raw: string): string | null {
  const value = raw.toUpperCase().replace(/\s+/g, "");
  const padded = /^\d{1,8}$/.test(value) ? value.padStart(8, "0") : value;
  return /^[A-Z0-9]{8}$/.test(padded) ? padded : null;
}

/** Register names differ only in punctuation and the "Limited"/"Ltd" spelling. */
const normalizeName = (name: string) =>
  ` ${name.toLowerCase().replace(/[^a-z0-9]+/g, " ")} `
    .replace(/ public limited company /g, " plc ")
    .replace(/ limited /g, " ltd ")
    .trim();

function addressOf(raw: unknown) {
  const a = asRecord(raw);
  const first = [asString(a.premises), asString(a.address_line_1)].filter(Boolean).join(" ");
  return compactObject({
    lines: [first, asString(a.address_line_2)].filter((l): l is string => Boolean(l)),
    city: asString(a.locality),
    region: asString(a.region),
    postalCode: asString(a.postal_code),
    country: asString(a.country),
  });
}

function officersOf(body: unknown) {
  return asArray(asRecord(body).items)
    .map(asRecord)
    .filter((o) => !asString(o.resigned_on))
    .slice(0, MAX_OFFICERS)
    .map((o) =>
      compactObject({
        name: asString(o.name),
        role: asString(o.officer_role),
        appointedOn: asString(o.appointed_on),
        nationality: asString(o.nationality),
        occupation: asString(o.occupation),
        countryOfResidence: asString(o.country_of_residence),
      }),
    );
}

const authHeader = (ctx: IntegrationContext) => ({ authorization: `Basic ${btoa(`${ctx.credentials.apiKey ?? ""}:`)}` });

async function findByName(ctx: IntegrationContext, baseUrl: string, name: string) {
  const answer = await callProvider(ctx, providerUrl(baseUrl, "/search/companies", { q: name, items_per_page: 10 }), {
    headers: authHeader(ctx),
    errorDetail: chError,
  });
  const wanted = normalizeName(name);
  const exact = asArray(asRecord(answer.body).items)
    .map(asRecord)
    .filter((item) => normalizeName(asString(item.title) ?? "") === wanted);
  const number = asString(exact[0]?.company_number);
  if (!number) throw noData("Companies House lists no company with exactly this name");
  return { number, confidence: exact.length === 1 ? 0.9 : 0.6 };
}

async function officers(ctx: IntegrationContext, baseUrl: string, number: string) {
  try {
    const answer = await callProvider(ctx, providerUrl(baseUrl, `/company/${number}/officers`, { items_per_page: 50 }), {
      headers: authHeader(ctx),
      errorDetail: chError,
    });
    return answer.body;
  } catch (error) {
    if (error instanceof EnrichmentError && error.code === "NO_DATA") return { items: [] };
    throw error;
  }
}

export const companiesHouse: Integration = {
  code: "companies_house",
  name: "Companies House (UK)",
  description:
    "The UK register's company profile (name, number, status, type, registered office, incorporation, SIC codes, previous names) and current officers, by company number or exact registered name. Needs a free Companies House API key.",
  entityTypes: ["company"],
  inputs: [["registrationNumber"], ["name"]],
  outputs: [...OUTPUTS],
  credits: 1,
  costCents: 0,
  timeoutMs: 10_000,
  retry: { maxAttempts: 3, baseDelayMs: 250 },
  // 600 requests per 5 minutes per key.
  maxConcurrency: 5,
  cache: { ttlSeconds: 3 * 24 * 3600, scope: "global" },
  credentialNames: ["apiKey"],
  enabledByDefault: false,
  configSchema,
  lookupKey(input) {
    const a = input.attributes;
    const number = typeof a.registrationNumber === "string" ? normalizeCompanyNumber(a.registrationNumber) : null;
    return number ? `number:${number}` : `name:${normalizeName(String(a.name ?? ""))}`;
  },
  async execute(input, ctx) {
    const { baseUrl } = configSchema.parse(ctx.config);
    const a = input.attributes;
    let number: string;
    let confidence = 1;
    if (typeof a.registrationNumber === "string") {
      const normalized = normalizeCompanyNumber(a.registrationNumber);
      if (!normalized) throw noData(`'${a.registrationNumber}' is not a Companies House company number`);
      number = normalized;
    } else {
      ({ number, confidence } = await findByName(ctx, baseUrl, String(a.name)));
    }
    const [profileAnswer, officerList] = await Promise.all([
      callProvider(ctx, providerUrl(baseUrl, `/company/${number}`), { headers: authHeader(ctx), errorDetail: chError }),
      officers(ctx, baseUrl, number),
    ]);
    const profile = asRecord(profileAnswer.body);
    const fields = foundFields({
      legalName: asString(profile.company_name),
      registrationNumber: asString(profile.company_number) ?? number,
      companyStatus: asString(profile.company_status),
      legalForm: asString(profile.type),
      jurisdiction: "GB",
      registeredAddress: addressOf(profile.registered_office_address),
      incorporationDate: asString(profile.date_of_creation),
      dissolutionDate: asString(profile.date_of_cessation),
      sicCodes: strings(profile.sic_codes),
      previousNames: asArray(profile.previous_company_names)
        .map((p) => asString(asRecord(p).name))
        .filter((n): n is string => n !== undefined),
      officers: officersOf(officerList),
    });
    const { links: _links, etag: _etag, ...kept } = profile;
    const list = asRecord(officerList);
    return {
      fields,
      enrichmentData: {
        profile: trimForStorage(kept),
        officers: trimForStorage(asArray(list.items).slice(0, MAX_OFFICERS)),
        activeOfficers: list.active_count ?? null,
        resignedOfficers: list.resigned_count ?? null,
        matchedBy: typeof a.registrationNumber === "string" ? "registrationNumber" : "name",
      },
      dataQuality: { completeness: completenessOf(fields, OUTPUTS), confidence },
      summary: `${String(fields.legalName ?? number)} (${number}), ${String(fields.companyStatus ?? "status unknown")}`,
    };
  },
};
