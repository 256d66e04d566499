import type { EntityType } from "../domain/attributes";

export interface FieldDefinition {
  /** The JSON shape of the value. */
  type: string;
  entityTypes: EntityType[];
  description: string;
}

const person: EntityType[] = ["person"];
const company: EntityType[] = ["company"];
const both: EntityType[] = ["person", "company"];

const ADDRESS = "Address {lines: string[], city?, region?, postalCode?, country?}";

/**
 * The one dictionary of Dossier field names. Every integration writes its findings into an entity's
 * `enriched` map under these names, so the same fact found by two providers lands in the same field and
 * the more confident source wins. Provider-specific detail stays in each result's `enrichmentData`.
 * Custom (`http_json`) integrations map into these names or into `custom.<name>`.
 */
export const FIELD_DICTIONARY = {
  // People
  fullName: { type: "string", entityTypes: person, description: "The person's full name as the source spells it." },
  firstName: { type: "string", entityTypes: person, description: "Given name." },
  lastName: { type: "string", entityTypes: person, description: "Family name." },
  jobTitle: { type: "string", entityTypes: person, description: "Current job title." },
  seniority: { type: "string", entityTypes: person, description: "Seniority level of the current role (e.g. senior, manager, director, cxo)." },
  jobFunction: { type: "string", entityTypes: person, description: "Function of the current role (e.g. engineering, sales, finance)." },
  companyName: { type: "string", entityTypes: person, description: "Name of the person's current employer." },
  companyDomain: { type: "string", entityTypes: person, description: "Registrable domain of the current employer (lower case, no www.)." },
  email: { type: "string", entityTypes: person, description: "Best work email address found for the person." },
  emailCandidates: { type: "object[]", entityTypes: person, description: "Ranked candidate addresses {email, confidence, …} when no single address is certain." },
  personalEmails: { type: "string[]", entityTypes: person, description: "Personal (non-work) email addresses." },
  emailVerdict: {
    type: "string",
    entityTypes: person,
    description: "Deliverability of the entity's email: deliverable | risky | undeliverable | unknown.",
  },
  emailNormalized: { type: "string", entityTypes: person, description: "The entity's email, normalized (lower case, trimmed)." },
  emailAcceptsMail: { type: "boolean", entityTypes: person, description: "The email's domain publishes MX records (can receive mail)." },
  emailAcceptAll: { type: "boolean", entityTypes: person, description: "The email's mail server accepts every address (catch-all), so a mailbox cannot be confirmed." },
  emailDisposable: { type: "boolean", entityTypes: person, description: "The email uses a disposable / throw-away domain." },
  emailFreeProvider: { type: "boolean", entityTypes: person, description: "The email uses a free webmail provider (gmail.com, outlook.com …)." },
  emailRoleAddress: { type: "boolean", entityTypes: person, description: "The email is a role address (info@, sales@ …) rather than a person's." },
  phoneE164: { type: "string", entityTypes: person, description: "Phone number in E.164 form (+14155552671)." },
  phoneNational: { type: "string", entityTypes: person, description: "Phone number in national format." },
  phoneInternational: { type: "string", entityTypes: person, description: "Phone number in international format." },
  phoneCountry: { type: "string", entityTypes: person, description: "ISO 3166-1 alpha-2 country of the phone number." },
  phoneLineType: { type: "string", entityTypes: person, description: "Line type (MOBILE, FIXED_LINE, VOIP …)." },
  phoneValid: { type: "boolean", entityTypes: person, description: "The phone number is valid for its region." },
  githubUrl: { type: "string", entityTypes: person, description: "GitHub profile URL." },
  skills: { type: "string[]", entityTypes: person, description: "Skills listed on the person's profiles." },

  // Companies
  legalName: { type: "string", entityTypes: company, description: "Registered legal name (from a registry such as GLEIF or Companies House)." },
  displayName: { type: "string", entityTypes: company, description: "The name the company trades or is commonly known under." },
  alternativeNames: { type: "string[]", entityTypes: company, description: "Other names: trading, transliterated or alternative names." },
  previousNames: { type: "string[]", entityTypes: company, description: "Names the company was registered under before." },
  lei: { type: "string", entityTypes: company, description: "ISO 17442 Legal Entity Identifier (20 characters)." },
  leiStatus: { type: "string", entityTypes: company, description: "Registration status of the LEI (ISSUED, LAPSED, RETIRED …)." },
  registrationNumber: { type: "string", entityTypes: company, description: "Identifier at the national business register (e.g. a Companies House number)." },
  registrationAuthorityId: { type: "string", entityTypes: company, description: "GLEIF Registration Authority code of the register holding the company (e.g. RA000585)." },
  companyStatus: { type: "string", entityTypes: company, description: "Status at the register, lower case as the source words it (active, inactive, dissolved, liquidation …)." },
  jurisdiction: { type: "string", entityTypes: company, description: "Legal jurisdiction: ISO 3166-1 alpha-2, or ISO 3166-2 for sub-national ones (US-DE)." },
  legalForm: { type: "string", entityTypes: company, description: "Legal form: an ISO 20275 ELF code (GLEIF) or the register's company type (e.g. ltd, plc)." },
  registeredAddress: { type: ADDRESS, entityTypes: company, description: "Registered (legal) address." },
  headquartersAddress: { type: ADDRESS, entityTypes: company, description: "Headquarters address." },
  incorporationDate: { type: "string", entityTypes: company, description: "Date of incorporation or creation, YYYY-MM-DD." },
  dissolutionDate: { type: "string", entityTypes: company, description: "Date the company ceased to exist, YYYY-MM-DD." },
  sicCodes: { type: "string[]", entityTypes: company, description: "UK SIC 2007 codes of the company's activities." },
  officers: {
    type: "object[]",
    entityTypes: company,
    description: "Current officers {name, role, appointedOn?, nationality?, occupation?, countryOfResidence?}.",
  },
  directParent: { type: "object", entityTypes: company, description: "Direct accounting-consolidation parent {lei, name}." },
  ultimateParent: { type: "object", entityTypes: company, description: "Ultimate accounting-consolidation parent {lei, name}." },
  website: { type: "string", entityTypes: company, description: "Company website URL." },
  domain: { type: "string", entityTypes: company, description: "Registrable domain of the company website." },
  industry: { type: "string", entityTypes: both, description: "Industry, in the source's wording." },
  employeeCount: { type: "number", entityTypes: company, description: "Estimated number of employees." },
  employeeRange: { type: "string", entityTypes: company, description: "Employee-count band (e.g. 51-200)." },
  foundedYear: { type: "number", entityTypes: company, description: "Year the company was founded." },
  description: { type: "string", entityTypes: company, description: "Short description of what the company does." },
  ticker: { type: "string", entityTypes: company, description: "Stock ticker symbol." },

  // Both
  linkedinUrl: { type: "string", entityTypes: both, description: "LinkedIn profile or company page URL (https://…)." },
  twitterUrl: { type: "string", entityTypes: both, description: "X / Twitter profile URL." },
  facebookUrl: { type: "string", entityTypes: both, description: "Facebook page URL." },
  location: { type: "string", entityTypes: both, description: "Free-text location (city, region, country) as the source gives it." },
  sanctionsHit: { type: "boolean", entityTypes: both, description: "A sanctions-list entry matched at or above the screening threshold." },
  pepHit: { type: "boolean", entityTypes: both, description: "A politically exposed person (or close associate) entry matched at or above the threshold." },
  riskTopics: { type: "string[]", entityTypes: both, description: "Topics of the matched screening entries (sanction, role.pep, crime …)." },
  screeningMatches: {
    type: "object[]",
    entityTypes: both,
    description: "Screening matches at or above the threshold {id, name, score, topics, datasets, source}.",
  },
} as const satisfies Record<string, FieldDefinition>;

export type DossierField = keyof typeof FIELD_DICTIONARY;

const CUSTOM_FIELD = /^custom\.[A-Za-z][A-Za-z0-9_]{0,60}$/;

/** A name an integration may write: a dictionary field, or `custom.<name>` for an organization's own data. */
export const isKnownField = (name: string): boolean => Object.hasOwn(FIELD_DICTIONARY, name) || CUSTOM_FIELD.test(name);

/** Drops empty values, so `fields` only lists what was actually found. */
export function foundFields(candidates: Partial<Record<DossierField, unknown>>): Partial<Record<DossierField, unknown>> {
  return Object.fromEntries(Object.entries(candidates).filter(([, v]) => !isEmpty(v))) as Partial<Record<DossierField, unknown>>;
}

export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}
