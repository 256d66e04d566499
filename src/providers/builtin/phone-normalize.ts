import { type CountryCode, type PhoneNumber, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { missingInput } from "../errors";
import type { Integration, IntegrationInput } from "../types";

/** The entity's country is the region a national number ("020 7946 0018") is read in. */
function defaultRegion(input: IntegrationInput): CountryCode | undefined {
  const country = input.attributes.country;
  return typeof country === "string" && isSupportedCountry(country.toUpperCase()) ? (country.toUpperCase() as CountryCode) : undefined;
}

function parse(input: IntegrationInput): { raw: string; region: CountryCode | undefined; phone: PhoneNumber | undefined } {
  const raw = input.attributes.phone;
  if (typeof raw !== "string" || raw.trim() === "") throw missingInput("Needs a phone number");
  const region = defaultRegion(input);
  return { raw: raw.trim(), region, phone: parsePhoneNumberFromString(raw, region) };
}

/** "FIXED_LINE_OR_MOBILE" → "fixed_line_or_mobile"; undefined when the metadata cannot tell. */
const lineTypeOf = (phone: PhoneNumber) => phone.getType()?.toLowerCase() ?? null;

/** `phone_normalize`: offline parsing and formatting with libphonenumber-js (full metadata, for line types). */
export const phoneNormalize: Integration = {
  code: "phone_normalize",
  name: "Phone number normalization",
  description:
    "Parses the phone attribute (the entity's country is the default region) into E.164, national and international formats, " +
    "with its country, line type (mobile, fixed line, toll free …) and validity. Runs offline; free.",
  entityTypes: ["person"],
  inputs: [["phone"]],
  outputs: ["phoneE164", "phoneNational", "phoneInternational", "phoneCountry", "phoneLineType", "phoneValid"],
  credits: 0,
  costCents: 0,
  timeoutMs: 1000,
  retry: { maxAttempts: 1, baseDelayMs: 0 },
  maxConcurrency: 100,
  cache: { ttlSeconds: 30 * 24 * 3600, scope: "global" },
  credentialNames: [],
  enabledByDefault: true,
  lookupKey(input) {
    const { raw, region, phone } = parse(input);
    // Once parsed, the answer depends on the number alone; an unparseable one on what was typed and where.
    return phone ? phone.number : `raw:${raw.replace(/\s+/g, " ")}|${region ?? ""}`;
  },
  async execute(input) {
    const { raw, region, phone } = parse(input);
    if (!phone) {
      return {
        enrichmentData: { input: raw, defaultRegion: region ?? null, parsed: false, valid: false },
        fields: { phoneValid: false },
        dataQuality: { completeness: 0, confidence: 1 },
        summary: `'${raw}' is not a phone number${region ? ` in ${region}` : " (no country to read a national number in)"}`,
      };
    }
    const valid = phone.isValid();
    const data = {
      input: raw,
      defaultRegion: region ?? null,
      parsed: true,
      valid,
      possible: phone.isPossible(),
      e164: phone.number,
      national: phone.formatNational(),
      international: phone.formatInternational(),
      uri: phone.getURI(),
      country: phone.country ?? null,
      countryCallingCode: phone.countryCallingCode,
      nationalNumber: phone.nationalNumber,
      extension: phone.ext ?? null,
      lineType: valid ? lineTypeOf(phone) : null,
    };
    const fields: Record<string, unknown> = valid
      ? {
          phoneE164: data.e164,
          phoneNational: data.national,
          phoneInternational: data.international,
          phoneCountry: data.country,
          phoneLineType: data.lineType,
          phoneValid: true,
        }
      : { phoneValid: false };
    const filled = Object.values(fields).filter((v) => v !== null && v !== undefined).length;
    return {
      enrichmentData: data,
      fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined)),
      dataQuality: { completeness: valid ? filled / phoneNormalize.outputs.length : 0, confidence: 1 },
      summary: valid
        ? `${data.international} (${data.country ?? "non-geographic"}, ${data.lineType ?? "unknown line type"})`
        : `${raw} parses as ${data.e164} but is not a valid number${data.possible ? " (right length, unassigned range)" : ""}`,
    };
  },
};
