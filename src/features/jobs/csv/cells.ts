import { getCountries } from "libphonenumber-js";

/** What `results.csv` prefixes with `'` so a spreadsheet does not run it as a formula (see write.ts). */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as read: trimmed, and a `'` that neutralised a formula on export taken off again. */
export function readCell(raw: string | undefined): string {
  const value = (raw ?? "").trim();
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

const comparable = (name: string) =>
  name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z]/g, "");

/** Names CRM exports write that the English region names do not cover. */
const COUNTRY_ALIASES: Record<string, string> = {
  usa: "US",
  unitedstatesofamerica: "US",
  america: "US",
  uk: "GB",
  greatbritain: "GB",
  england: "GB",
  scotland: "GB",
  wales: "GB",
  northernireland: "GB",
  holland: "NL",
  thenetherlands: "NL",
  czechrepublic: "CZ",
  turkey: "TR",
  russianfederation: "RU",
  southkorea: "KR",
  republicofkorea: "KR",
  northkorea: "KP",
  ivorycoast: "CI",
  vatican: "VA",
  uae: "AE",
};

let countryNames: Map<string, string> | null = null;

function namesByCountry(): Map<string, string> {
  if (countryNames) return countryNames;
  const names = new Map(Object.entries(COUNTRY_ALIASES));
  const display = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
  for (const code of getCountries()) {
    const name = display?.of(code);
    if (name && name !== code) names.set(comparable(name), code);
  }
  countryNames = names;
  return names;
}

/**
 * CRM exports write countries as names ("United States", "Country/Region: Germany"); Dossier stores ISO 3166-1
 * alpha-2 codes. A value that is an English country name becomes its code; anything else is left for validation.
 */
export function countryCell(value: string): string {
  if (value.length <= 2) return value;
  return namesByCountry().get(comparable(value)) ?? value;
}
