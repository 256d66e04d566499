import type { ListedDate } from "./remarks.ts";

/**
 * What a date of birth or a country adds to a name match. Agreement raises the score; a date of birth
 * that contradicts every listed one lowers it (two people born years apart are not the same person),
 * while a different country does not: a customer's country is often residence, the list's nationality.
 */
export const DOB_ADJUSTMENT = { day: 0.08, month: 0.05, year: 0.04, sameYearOtherDay: -0.05, mismatch: -0.15 } as const;
export const COUNTRY_ADJUSTMENT = 0.04;

export type DobResult = "match" | "partial" | "mismatch" | "unknown";

export interface DobEvidence {
  result: DobResult;
  query: string | null;
  listed: string[];
  /** Which listed date agreed, and how precisely. */
  precision: "day" | "month" | "year" | null;
  adjustment: number;
}

interface PartialDate {
  year: number;
  month?: number;
  day?: number;
}

function readDate(text: string): PartialDate | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (!m) return null;
  return { year: Number(m[1]), month: m[2] ? Number(m[2]) : undefined, day: m[3] ? Number(m[3]) : undefined };
}

type Agreement = "day" | "month" | "year" | "sameYearOtherDay" | "mismatch";

const RANK: Record<Agreement, number> = { day: 4, month: 3, year: 2, sameYearOtherDay: 1, mismatch: 0 };

function compareToListed(query: PartialDate, listed: ListedDate): Agreement {
  const from = readDate(listed.from);
  const to = readDate(listed.to);
  if (!from || !to) return "mismatch";
  if (listed.circa || listed.from !== listed.to) {
    // A range or an approximation only ever agrees on the year; "circa" allows a year either side.
    const slack = listed.circa ? 1 : 0;
    return query.year >= from.year - slack && query.year <= to.year + slack ? "year" : "mismatch";
  }
  if (query.year !== from.year) return "mismatch";
  if (query.month === undefined || from.month === undefined) return "year";
  if (query.month !== from.month) return "sameYearOtherDay";
  if (query.day === undefined || from.day === undefined) return "month";
  return query.day === from.day ? "day" : "sameYearOtherDay";
}

/** The best agreement between the entity's date of birth (YYYY, YYYY-MM or YYYY-MM-DD) and any listed one. */
export function dateOfBirthEvidence(query: string | undefined, listed: ListedDate[]): DobEvidence {
  const base = { query: query ?? null, listed: listed.map((d) => d.raw) };
  const parsed = query ? readDate(query) : null;
  if (!parsed || listed.length === 0) return { ...base, result: "unknown", precision: null, adjustment: 0 };
  let best: Agreement = "mismatch";
  for (const d of listed) {
    const agreement = compareToListed(parsed, d);
    if (RANK[agreement] > RANK[best]) best = agreement;
  }
  const adjustment = DOB_ADJUSTMENT[best];
  if (best === "mismatch" || best === "sameYearOtherDay") return { ...base, result: "mismatch", precision: null, adjustment };
  return { ...base, result: best === "day" ? "match" : "partial", precision: best, adjustment };
}

export interface CountryEvidence {
  result: "match" | "no_match" | "unknown";
  query: string | null;
  /** ISO codes from the entry's nationality, citizenship, place of birth, registration and documents. */
  listed: string[];
  adjustment: number;
}

export function countryEvidence(query: string | undefined, listed: string[]): CountryEvidence {
  const code = query?.toUpperCase() ?? null;
  if (!code || listed.length === 0) return { result: "unknown", query: code, listed, adjustment: 0 };
  return listed.includes(code)
    ? { result: "match", query: code, listed, adjustment: COUNTRY_ADJUSTMENT }
    : { result: "no_match", query: code, listed, adjustment: 0 };
}
