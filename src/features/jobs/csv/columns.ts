import { type EntityType, companyAttributesSchema, personAttributesSchema } from "../../../domain/attributes";
import { ApiError } from "../../../platform/errors";

/** What a CSV column is read as. */
export type ColumnTarget =
  | { kind: "type" | "externalId" | "entityId" | "ignore" }
  /** An attribute (`email`, `custom.city`), per entity type: a header may name different attributes for each. */
  | { kind: "attribute"; person?: string; company?: string };

/** The comparable form of a header: "E-mail", "e_mail" and "EMAIL" are all `email`. */
export const normalizeHeader = (header: string) =>
  header
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");

const ALIASES: { target: ColumnTarget; headers: string[] }[] = [
  { target: { kind: "type" }, headers: ["type", "entitytype"] },
  { target: { kind: "externalId" }, headers: ["externalid", "id", "recordid", "crmid", "contactid", "leadid", "accountid", "companyid"] },
  { target: { kind: "entityId" }, headers: ["entityid", "dossierid"] },
  { target: { kind: "attribute", person: "fullName", company: "name" }, headers: ["name", "fullname"] },
  { target: { kind: "attribute", person: "fullName" }, headers: ["contactname", "personname", "leadname"] },
  { target: { kind: "attribute", person: "firstName" }, headers: ["firstname", "givenname", "personfirstname"] },
  { target: { kind: "attribute", person: "lastName" }, headers: ["lastname", "surname", "familyname", "personlastname"] },
  { target: { kind: "attribute", person: "email" }, headers: ["email", "emailaddress", "workemail", "businessemail", "personemail", "personemailwork"] },
  { target: { kind: "attribute", person: "phone" }, headers: ["phone", "phonenumber", "mobilephone", "mobile", "telephone", "personphone", "personphonework"] },
  { target: { kind: "attribute", person: "title" }, headers: ["title", "jobtitle", "position"] },
  {
    target: { kind: "attribute", person: "companyName", company: "name" },
    headers: ["company", "companyname", "accountname", "organization", "organisation", "organizationname", "personorganization"],
  },
  { target: { kind: "attribute", company: "name" }, headers: ["legalname"] },
  { target: { kind: "attribute", person: "companyDomain", company: "domain" }, headers: ["companydomain", "domain"] },
  { target: { kind: "attribute", person: "companyDomain", company: "website" }, headers: ["website", "companywebsite", "websiteurl", "url"] },
  { target: { kind: "attribute", person: "linkedinUrl" }, headers: ["linkedinurl", "linkedin", "linkedinprofile", "linkedinprofileurl", "personlinkedinurl"] },
  { target: { kind: "attribute", person: "country", company: "country" }, headers: ["country", "countryregion", "countrycode"] },
  { target: { kind: "attribute", person: "dateOfBirth" }, headers: ["dateofbirth", "birthdate", "dob"] },
  { target: { kind: "attribute", company: "registrationNumber" }, headers: ["registrationnumber", "companynumber", "companyregistrationnumber"] },
  { target: { kind: "attribute", company: "lei" }, headers: ["lei", "leicode"] },
  { target: { kind: "attribute", person: "custom.city", company: "custom.city" }, headers: ["city"] },
  { target: { kind: "attribute", person: "custom.state", company: "custom.state" }, headers: ["state", "stateregion", "province"] },
];

const BUILT_IN = new Map(ALIASES.flatMap(({ target, headers }) => headers.map((h) => [h, target] as const)));
if (BUILT_IN.size !== ALIASES.reduce((n, a) => n + a.headers.length, 0)) throw new Error("A CSV header alias is listed twice");

/** Every attribute each type takes, by its own name (the importer also takes these names as headers, in any spelling). */
const ATTRIBUTES: Record<EntityType, string[]> = {
  person: Object.keys(personAttributesSchema.in.shape).filter((a) => a !== "custom"),
  company: Object.keys(companyAttributesSchema.in.shape).filter((a) => a !== "custom"),
};

/** The built-in mapping, as README documents it: each normalized header and what it is read as. */
export const builtInColumns = (): ReadonlyMap<string, ColumnTarget> => BUILT_IN;

/** Columns that `GET /v1/jobs/{id}/results.csv` writes after the input: re-importing the file ignores them. */
const RESULT_COLUMN = /^(status|credits|costCents|enriched\..+|[a-z0-9_]+\.(status|errorCode|error))$/;

function attributeByName(name: string): ColumnTarget | null {
  const custom = /^custom\.(.+)$/i.exec(name);
  if (custom?.[1]) {
    const key = custom[1].trim();
    return key.length > 0 && key.length <= 100 ? { kind: "attribute", person: `custom.${key}`, company: `custom.${key}` } : null;
  }
  const person = ATTRIBUTES.person.find((a) => normalizeHeader(a) === normalizeHeader(name));
  const company = ATTRIBUTES.company.find((a) => normalizeHeader(a) === normalizeHeader(name));
  return person || company ? { kind: "attribute", person, company } : null;
}

/** What a `columns` value names: `ignore`, `type`, `externalId`, `entityId`, an attribute, or `custom.<name>`. */
function targetOfMapping(value: string): ColumnTarget | null {
  if (value === "ignore" || value === "type" || value === "externalId" || value === "entityId") return { kind: value };
  const custom = /^custom\.(.+)$/.exec(value);
  if (custom) return attributeByName(value);
  const person = ATTRIBUTES.person.includes(value) ? value : undefined;
  const company = ATTRIBUTES.company.includes(value) ? value : undefined;
  return person || company ? { kind: "attribute", person, company } : null;
}

/**
 * A header as built in, first match wins: a results.csv output column (ignored); `custom.<name>`; an attribute name
 * written exactly as the API spells it, meaning just that attribute (`name` is a company's, `fullName` a person's);
 * the CRM spellings table (any case or punctuation); an attribute name in any case or punctuation (`first_name`).
 */
function builtInTarget(header: string): ColumnTarget | null {
  if (RESULT_COLUMN.test(header)) return { kind: "ignore" };
  if (/^custom\./i.test(header)) return attributeByName(header);
  const person = ATTRIBUTES.person.includes(header) ? header : undefined;
  const company = ATTRIBUTES.company.includes(header) ? header : undefined;
  if (person || company) return { kind: "attribute", person, company };
  return BUILT_IN.get(normalizeHeader(header)) ?? attributeByName(header);
}

export interface ColumnPlan {
  /** One per CSV column, in order. */
  targets: (ColumnTarget | null)[];
  /** Headers that name nothing Dossier knows and were not mapped: their cells are ignored. */
  unmapped: string[];
  /** Which columns the `columns` parameter mapped. */
  mapped: boolean[];
}

const invalid = (message: string, details: unknown) => new ApiError("VALIDATION_ERROR", message, { details });

/** The `columns` query parameter: a JSON object of header → attribute, `custom.<name>`, `type`, `externalId`, `entityId` or `ignore`. */
export function parseColumnsParameter(raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalid("columns must be a JSON object of CSV header → attribute", [{ path: "columns", message: "Not a JSON object", code: "invalid_type" }]);
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  const bad = entries.filter(([, v]) => typeof v !== "string" || targetOfMapping(v) === null);
  if (bad.length > 0) {
    throw invalid(
      "columns maps a header to something that is not an attribute, custom.<name>, type, externalId, entityId or ignore",
      bad.map(([k, v]) => ({ path: `columns.${k}`, message: `Unknown target ${JSON.stringify(v)}`, code: "invalid_value" })),
    );
  }
  return Object.fromEntries(entries as [string, string][]);
}

const label = (header: string, index: number) => (header === "" ? `(column ${index + 1})` : header);

/**
 * Reads the header row: each column's target from `columns` (by exact header, else by its normalized form), else
 * the built-in table. A `columns` key naming no header is a 400 (a typo must not pass silently).
 */
export function planColumns(headers: string[], mapping: Record<string, string>): ColumnPlan {
  const used = new Set<string>();
  const mapped: boolean[] = [];
  const targets = headers.map((header) => {
    const key = header in mapping ? header : Object.keys(mapping).find((k) => normalizeHeader(k) === normalizeHeader(header) && normalizeHeader(k) !== "");
    mapped.push(key !== undefined);
    if (key !== undefined) {
      used.add(key);
      return targetOfMapping(mapping[key] ?? "");
    }
    return builtInTarget(header);
  });
  const unused = Object.keys(mapping).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw invalid(
      `columns names ${unused.length === 1 ? "a header" : "headers"} the CSV does not have: ${unused.map((k) => JSON.stringify(k)).join(", ")}`,
      unused.map((k) => ({ path: `columns.${k}`, message: "No column with this header in the CSV", code: "not_found" })),
    );
  }
  const unmapped = targets.flatMap((target, i) => (target === null ? [label(headers[i] ?? "", i)] : []));
  return { targets, unmapped, mapped };
}

/**
 * Header → what it is read as, for the create answer: an attribute, `type`, `externalId`, `entityId` or `ignore`. When
 * the file has rows of both types and a header means different attributes for them: `fullName (company: name)`.
 */
export function describeColumns(headers: string[], plan: ColumnPlan, types: Set<EntityType>): Record<string, string> {
  const wanted: EntityType[] = types.size > 0 ? ["person", "company"].filter((t): t is EntityType => types.has(t as EntityType)) : ["person", "company"];
  return Object.fromEntries(
    plan.targets.map((target, i) => {
      const name = label(headers[i] ?? "", i);
      if (target === null || target.kind !== "attribute") return [name, target?.kind ?? "ignore"];
      const [first, second] = wanted.map((type) => target[type] ?? "ignore");
      return [name, second === undefined || second === first ? (first ?? "ignore") : `${first} (company: ${second})`];
    }),
  );
}

/** What a column holds for rows of this type: an attribute, a special column, or nothing. */
export function columnFor(target: ColumnTarget | null, type: EntityType): string | null {
  if (target === null || target.kind === "ignore") return null;
  if (target.kind !== "attribute") return target.kind;
  return target[type] ?? null;
}

/**
 * A `columns` mapping to an attribute that no row of the file can have (`name` in a file of people) is a 400, not lost
 * data. In a file of both types, an attribute of one type is read for those rows (`companyName` for people).
 */
export function assertApplicable(headers: string[], plan: ColumnPlan, types: Set<EntityType>): void {
  for (const [i, target] of plan.targets.entries()) {
    if (!plan.mapped[i] || target?.kind !== "attribute" || types.size === 0 || [...types].some((type) => target[type] !== undefined)) continue;
    const header = label(headers[i] ?? "", i);
    const attribute = target.person ?? target.company;
    const rows = [...types].join(" and ");
    throw invalid(`columns maps "${header}" to ${attribute}, which ${rows} rows do not have`, [
      { path: `columns.${header}`, message: `${rows} rows have no ${attribute}`, code: "invalid_value" },
    ]);
  }
}

/** Two columns feeding one attribute (for a type the file has rows of), or two id/type columns, is a 400 naming both. */
export function assertUnambiguous(headers: string[], plan: ColumnPlan, types: Set<EntityType>): void {
  const special = (t: ColumnTarget | null) => (t && t.kind !== "attribute" && t.kind !== "ignore" ? t.kind : null);
  const groups: [EntityType | null, (t: ColumnTarget | null) => string | null][] = [
    [null, special],
    ...[...types].map((type): [EntityType, (t: ColumnTarget | null) => string | null] => [type, (t) => (t?.kind === "attribute" ? (t[type] ?? null) : null)]),
  ];
  for (const [type, nameOf] of groups) {
    const byName = new Map<string, number>();
    for (const [i, target] of plan.targets.entries()) {
      const name = nameOf(target);
      if (name === null) continue;
      const first = byName.get(name);
      if (first === undefined) {
        byName.set(name, i);
        continue;
      }
      const [a, b] = [label(headers[first] ?? "", first), label(headers[i] ?? "", i)];
      throw invalid(
        `Columns "${a}" and "${b}" both map to ${name}${type ? ` for ${type} rows` : ""}; map one of them elsewhere with the columns parameter, e.g. columns={"${b}":"ignore"}`,
        [{ path: "columns", message: `"${a}" and "${b}" both map to ${name}`, code: "ambiguous", columns: [a, b], attribute: name }],
      );
    }
  }
}
