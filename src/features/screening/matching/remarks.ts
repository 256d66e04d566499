import { countryCode, countryOfPlace } from "./countries.ts";

export type AliasKind = "aka" | "fka" | "nka";

export interface ListedAlias {
  name: string;
  kind: AliasKind;
  /**
   * OFAC's legacy CSV keeps strong aliases in ALT.CSV and puts only the weak ones (nicknames,
   * noms de guerre, common acronyms) in the remarks of SDN.CSV (OFAC FAQ 123), so every alias
   * read from the remarks is weak.
   */
  quality: "strong" | "weak";
}

/** A listed date of birth: one date, a range ("1958 to 1960") or an approximation ("circa 1960"). */
export interface ListedDate {
  raw: string;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  from: string;
  to: string;
  circa: boolean;
}

export interface RemarkFacts {
  aliases: ListedAlias[];
  datesOfBirth: ListedDate[];
  placesOfBirth: string[];
  nationalities: string[];
  citizenships: string[];
  gender: string | null;
  /** ISO codes from nationality, citizenship, place of birth, registration and identity documents. */
  countries: string[];
}

const MONTHS: Record<string, string> = {
  jan: "01", feb: "02", mar: "03", apr: "04", may: "05", jun: "06",
  jul: "07", aug: "08", sep: "09", oct: "10", nov: "11", dec: "12",
};

/** Closing quote followed by `;`, `)`, the end (with the list's final period) or another alias. */
const ALIAS = /\b([afn])\.k\.a\.\s+'(.+?)'(?=\s*(?:[;)]|\.?\s*$|,?\s*[afn]\.k\.a\.))/g;

function partialDate(text: string): string | null {
  const t = text.trim();
  let m = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$/.exec(t);
  if (m) {
    const month = MONTHS[(m[2] ?? "").toLowerCase()];
    return month ? `${m[3]}-${month}-${(m[1] ?? "").padStart(2, "0")}` : null;
  }
  m = /^([A-Za-z]{3})[a-z]* (\d{4})$/.exec(t);
  if (m) {
    const month = MONTHS[(m[1] ?? "").toLowerCase()];
    return month ? `${m[2]}-${month}` : null;
  }
  m = /^(\d{4})$/.exec(t);
  return m ? (m[1] ?? null) : null;
}

/** "10 Dec 1948", "Mar 1962", "1946", "circa 1960", "1958 to 1960", "circa 1979-1981". */
export function parseListedDate(raw: string): ListedDate | null {
  let text = raw.trim().replace(/\.$/, "");
  const circa = /^circa\s+/i.test(text);
  text = text.replace(/^circa\s+/i, "");
  const [first = "", second] = text.split(/\s+to\s+|(?<=\d{4})\s*-\s*(?=\d{4})/);
  const from = partialDate(first);
  const to = second === undefined ? from : partialDate(second);
  if (!from || !to) return null;
  return { raw: raw.trim().replace(/\.$/, ""), from, to, circa };
}

const unique = <T>(values: T[]) => [...new Set(values)];

/** Reads aliases, dates and places of birth, nationalities and other identifying facts out of the remarks. */
export function parseRemarks(remarks: string | null): RemarkFacts {
  const facts: RemarkFacts = {
    aliases: [],
    datesOfBirth: [],
    placesOfBirth: [],
    nationalities: [],
    citizenships: [],
    gender: null,
    countries: [],
  };
  if (!remarks) return facts;
  const countries: string[] = [];

  for (const m of remarks.matchAll(ALIAS)) {
    const name = (m[2] ?? "").trim();
    if (name) facts.aliases.push({ name, kind: `${m[1] ?? "a"}ka` as AliasKind, quality: "weak" });
  }
  const rest = remarks.replace(ALIAS, "");

  for (const rawSegment of rest.split(/;\s*/)) {
    const segment = rawSegment.trim().replace(/\.$/, "");
    let m: RegExpExecArray | null;
    if ((m = /^(?:alt\.\s+)?DOB\s+(.+)$/i.exec(segment))) {
      const date = parseListedDate(m[1] ?? "");
      if (date) facts.datesOfBirth.push(date);
    } else if ((m = /^(?:alt\.\s+)?POB\s+(.+)$/i.exec(segment))) {
      const place = (m[1] ?? "").trim();
      facts.placesOfBirth.push(place);
      const code = countryOfPlace(place);
      if (code) countries.push(code);
    } else if ((m = /^(?:alt\.\s+)?nationality of registration\s+(.+)$/i.exec(segment))) {
      const code = countryCode(m[1] ?? "");
      if (code) countries.push(code);
    } else if ((m = /^(?:alt\.\s+)?nationality\s+(.+)$/i.exec(segment))) {
      const value = (m[1] ?? "").trim();
      facts.nationalities.push(value);
      const code = countryCode(value) ?? countryOfPlace(value);
      if (code) countries.push(code);
    } else if ((m = /^(?:alt\.\s+)?(?:citizen|citizenship)\s+(.+)$/i.exec(segment))) {
      const value = (m[1] ?? "").trim();
      facts.citizenships.push(value);
      const code = countryCode(value) ?? countryOfPlace(value);
      if (code) countries.push(code);
    } else if ((m = /^Gender\s+(Male|Female)$/i.exec(segment))) {
      facts.gender = (m[1] ?? "").toLowerCase();
    } else if ((m = /^(?:alt\.\s+)?(?:Passport|National ID No|Cedula No|Tax ID No|Registration Number|Company Number|Business Registration Number|Registration ID|Identification Number|C\.U\.R\.P\.|R\.F\.C\.|RUC #|NIT #|V\.A\.T\. Number|Commercial Registry Number)\b.*\(([^()]+)\)$/.exec(segment))) {
      // Identity and registration documents name their issuing country: "Passport 123 (Egypt)".
      const code = countryCode(m[1] ?? "");
      if (code) countries.push(code);
    }
  }
  facts.countries = unique(countries);
  facts.placesOfBirth = unique(facts.placesOfBirth);
  facts.nationalities = unique(facts.nationalities);
  facts.citizenships = unique(facts.citizenships);
  return facts;
}
