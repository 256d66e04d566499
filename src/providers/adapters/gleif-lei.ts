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
  baseUrl: baseUrlSchema("https://api.gleif.org"),
  /** One extra call per parent that GLEIF says exists. */
  includeParents: z.boolean().default(true),
});

const OUTPUTS = [
  "legalName",
  "alternativeNames",
  "lei",
  "leiStatus",
  "companyStatus",
  "jurisdiction",
  "legalForm",
  "registeredAddress",
  "headquartersAddress",
  "registrationAuthorityId",
  "registrationNumber",
  "incorporationDate",
  "directParent",
  "ultimateParent",
] as const satisfies readonly DossierField[];

/** GLEIF is JSON:API: `{"errors":[{"status","title","detail"}]}`. */
const jsonApiError = (body: unknown) => {
  const first = asRecord(asArray(asRecord(body).errors)[0]);
  return asString(first.detail) ?? asString(first.title);
};

const JSON_API = { accept: "application/vnd.api+json" };

function addressOf(raw: unknown) {
  const a = asRecord(raw);
  const lines = strings(a.addressLines);
  const city = asString(a.city);
  if (lines.length === 0 && !city) return undefined;
  return compactObject({ lines, city, region: asString(a.region), postalCode: asString(a.postalCode), country: asString(a.country) });
}

/** ELF code 8888 means "other": the form is then only given as text. */
function legalFormOf(raw: unknown) {
  const form = asRecord(raw);
  const id = asString(form.id);
  return id && id !== "8888" ? id : (asString(form.other) ?? id);
}

function fieldsOfRecord(record: Record<string, unknown>) {
  const attributes = asRecord(record.attributes);
  const entity = asRecord(attributes.entity);
  const registration = asRecord(attributes.registration);
  return foundFields({
    legalName: asString(asRecord(entity.legalName).name),
    alternativeNames: asArray(entity.otherNames)
      .map((n) => asString(asRecord(n).name))
      .filter((n): n is string => n !== undefined),
    lei: asString(attributes.lei) ?? asString(record.id),
    leiStatus: asString(registration.status),
    companyStatus: asString(entity.status)?.toLowerCase(),
    jurisdiction: asString(entity.jurisdiction),
    legalForm: legalFormOf(entity.legalForm),
    registeredAddress: addressOf(entity.legalAddress),
    headquartersAddress: addressOf(entity.headquartersAddress),
    registrationAuthorityId: asString(asRecord(entity.registeredAt).id),
    registrationNumber: asString(entity.registeredAs),
    incorporationDate: asString(entity.creationDate)?.slice(0, 10),
  });
}

const normalizeName = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

interface Chosen {
  record: Record<string, unknown>;
  confidence: number;
  candidates: number;
}

/** Name lookups keep only exact (normalized) legal-name matches, preferring the entity's country and live records. */
function chooseByName(records: Record<string, unknown>[], name: string, country: string | undefined): Chosen | null {
  const wanted = normalizeName(name);
  const exact = records.filter((r) => normalizeName(asString(asRecord(asRecord(asRecord(r.attributes).entity).legalName).name) ?? "") === wanted);
  if (exact.length === 0) return null;
  const score = (r: Record<string, unknown>) => {
    const entity = asRecord(asRecord(r.attributes).entity);
    const inCountry = [entity.legalAddress, entity.headquartersAddress].some((a) => country && asRecord(a).country === country);
    return (inCountry ? 2 : 0) + (entity.status === "ACTIVE" ? 1 : 0);
  };
  const ranked = [...exact].sort((a, b) => score(b) - score(a));
  const [best, second] = ranked;
  if (!best) return null;
  const ambiguous = second !== undefined && score(second) === score(best);
  return { record: best, confidence: ambiguous ? 0.6 : 0.95, candidates: exact.length };
}

async function parentOf(ctx: IntegrationContext, base: string, lei: string, kind: "direct-parent" | "ultimate-parent") {
  try {
    const answer = await callProvider(ctx, providerUrl(base, `/api/v1/lei-records/${encodeURIComponent(lei)}/${kind}`), {
      headers: JSON_API,
      errorDetail: jsonApiError,
    });
    const parent = asRecord(asRecord(answer.body).data);
    const attributes = asRecord(parent.attributes);
    const parentLei = asString(attributes.lei) ?? asString(parent.id);
    return parentLei ? { lei: parentLei, name: asString(asRecord(asRecord(attributes.entity).legalName).name) ?? null } : undefined;
  } catch (error) {
    // A parent GLEIF lists but cannot serve is missing data, not a failed lookup.
    if (error instanceof EnrichmentError && error.code === "NO_DATA") return undefined;
    throw error;
  }
}

/** GLEIF only links a parent endpoint when a relationship record exists (otherwise a reporting exception). */
const hasParentLink = (record: Record<string, unknown>, kind: string) =>
  asString(asRecord(asRecord(asRecord(record.relationships)[kind]).links)["lei-record"]) !== undefined;

export const gleifLei: Integration = {
  code: "gleif_lei",
  name: "GLEIF LEI records",
  description:
    "Legal entity data from the Global LEI Index (no key needed): legal name, LEI and its status, jurisdiction, legal form, registered and headquarters addresses, registration authority and direct/ultimate parents. Looks up by LEI, or by exact legal name.",
  entityTypes: ["company"],
  inputs: [["lei"], ["name"]],
  outputs: [...OUTPUTS],
  credits: 1,
  costCents: 0,
  timeoutMs: 10_000,
  retry: { maxAttempts: 3, baseDelayMs: 250 },
  // GLEIF asks clients to stay within 60 requests a minute.
  maxConcurrency: 4,
  cache: { ttlSeconds: 7 * 24 * 3600, scope: "global" },
  credentialNames: [],
  enabledByDefault: true,
  configSchema,
  lookupKey(input) {
    const a = input.attributes;
    return typeof a.lei === "string" ? `lei:${a.lei}` : `name:${normalizeName(String(a.name ?? ""))}|${a.country ?? ""}`;
  },
  async execute(input, ctx) {
    const { baseUrl, includeParents } = configSchema.parse(ctx.config);
    const a = input.attributes;
    const lei = typeof a.lei === "string" ? a.lei : undefined;
    let chosen: Chosen | null;
    if (lei) {
      const answer = await callProvider(ctx, providerUrl(baseUrl, `/api/v1/lei-records/${encodeURIComponent(lei)}`), {
        headers: JSON_API,
        errorDetail: jsonApiError,
      });
      const record = asRecord(asRecord(answer.body).data);
      chosen = Object.keys(record).length > 0 ? { record, confidence: 1, candidates: 1 } : null;
    } else {
      const name = String(a.name);
      const answer = await callProvider(
        ctx,
        providerUrl(baseUrl, "/api/v1/lei-records", { "filter[entity.legalName]": name, "page[size]": 10 }),
        { headers: JSON_API, errorDetail: jsonApiError },
      );
      const records = asArray(asRecord(answer.body).data).map(asRecord);
      chosen = chooseByName(records, name, typeof a.country === "string" ? a.country : undefined);
    }
    if (!chosen) throw noData(lei ? `GLEIF has no record for LEI ${lei}` : "GLEIF has no record with exactly this legal name");

    const fields: Record<string, unknown> = fieldsOfRecord(chosen.record);
    const recordLei = fields.lei as string | undefined;
    if (includeParents && recordLei) {
      const [direct, ultimate] = await Promise.all(
        (["direct-parent", "ultimate-parent"] as const).map((kind) =>
          hasParentLink(chosen.record, kind) ? parentOf(ctx, baseUrl, recordLei, kind) : Promise.resolve(undefined),
        ),
      );
      if (direct) fields.directParent = direct;
      if (ultimate) fields.ultimateParent = ultimate;
    }
    const attributes = asRecord(chosen.record.attributes);
    return {
      fields,
      enrichmentData: {
        lei: recordLei,
        matchedBy: lei ? "lei" : "legalName",
        candidates: chosen.candidates,
        entity: trimForStorage(attributes.entity),
        registration: trimForStorage(attributes.registration),
        bic: attributes.bic ?? null,
        directParent: fields.directParent ?? null,
        ultimateParent: fields.ultimateParent ?? null,
      },
      dataQuality: { completeness: completenessOf(fields, OUTPUTS), confidence: chosen.confidence },
      summary: `${String(fields.legalName ?? recordLei)} (LEI ${recordLei}, ${String(fields.leiStatus ?? "unknown status")})`,
    };
  },
};
