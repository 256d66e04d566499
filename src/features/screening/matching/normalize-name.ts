/**
 * Name normalization shared by the list importer and the screening query, so both sides of a
 * comparison are folded the same way. Imports use explicit `.ts` extensions because the CLI importer
 * runs these files directly under Node's type stripping, which does not guess extensions.
 */

import { osaDistance } from "./similarity.ts";

export type Party = "person" | "organization";

/** Letters NFKD does not decompose into a base letter plus a mark. */
const LETTER_FOLDS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
  ħ: "h",
};

/** Titles and honorifics written before a name; they say nothing about who someone is (compared after folding). */
const HONORIFICS = new Set([
  "mr", "mrs", "ms", "miss", "mister", "madam", "dr", "doctor", "prof", "professor", "sir", "dame", "lord", "lady",
  "sheikh", "shaikh", "shaykh", "sheik", "cheikh", "haji", "hajji", "hadji", "alhaji", "mullah", "mulla", "maulana",
  "maulvi", "mawlawi", "moulavi", "imam", "ayatollah", "hojatoleslam", "rev", "reverend", "fr", "father",
  "gen", "general", "col", "colonel", "maj", "major", "capt", "captain", "lt", "lieutenant", "brig", "brigadier",
  "adm", "admiral", "sgt", "sergeant", "cmdr", "commander", "hon", "honorable",
]);

/** Generational and academic suffixes written after a name. */
const SUFFIXES = new Set(["jr", "sr", "ii", "iii", "iv", "esq", "phd", "md"]);

/**
 * Legal forms and filler words of organization names: kept for display and scoring with a low
 * weight, never used to find candidates ("LIMITED" would otherwise pull in thousands of companies).
 */
const ORGANIZATION_FILLERS = new Set([
  "ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "co", "company", "corp", "corporation", "plc", "sa",
  "sas", "sarl", "srl", "spa", "sl", "ag", "gmbh", "kg", "bv", "nv", "oy", "ab", "as", "jsc", "ojsc", "cjsc", "pjsc",
  "ooo", "oao", "zao", "pao", "ao", "tov", "dooel", "doo", "ltda", "cv", "rl", "de", "del", "la", "el", "los", "las",
  "y", "e", "the", "of", "and", "for", "fze", "fzc", "fzco", "fzllc", "dmcc", "pte", "pvt", "sdn", "bhd", "tic", "ve",
  "sti", "ca", "pr", "pty", "kft", "zrt", "sro", "spol", "zoo", "aps", "asa", "sal", "wll", "gie", "eood", "ood", "group", "holding", "holdings", "liability", "joint", "stock", "open", "closed", "public", "private",
  "obshchestvo", "s", "a", "p", "r", "c",
]);

/**
 * Words frequent in organization names ("trading", "international"): still used to find candidates,
 * but they weigh little when scoring, so "Northwind Trading" is not "Southwind Trading".
 */
const GENERIC_ORGANIZATION_WORDS = new Set([
  "trading", "trade", "international", "global", "general", "industries", "industrial", "industry", "services",
  "service", "investment", "investments", "development", "technology", "technologies", "enterprise", "enterprises",
  "shipping", "bank", "commercial", "import", "export", "management", "engineering", "construction", "energy",
  "resources", "solutions", "systems", "logistics", "marketing", "consulting", "center", "centre", "institute",
  "research", "production", "manufacturing", "supply", "national", "state", "foundation", "association",
  "organization", "agency", "factory", "plant", "partners", "capital", "finance", "financial", "scientific",
  "company", "corporation",
]);

/** Particles of personal names that are frequent and weakly identifying; still used to find candidates. */
const PERSON_PARTICLES = new Set(["al", "el", "bin", "ibn", "bint", "abu", "abd", "abdul", "de", "del", "da", "di", "van", "von", "der", "la", "le", "y"]);

/** Lower-case, strip diacritics, drop apostrophes and dots, turn other punctuation into spaces. */
export function foldName(input: string): string {
  const decomposed = input.normalize("NFKD").toLowerCase();
  let out = "";
  for (const ch of decomposed) {
    if (/\p{M}/u.test(ch)) continue;
    out += LETTER_FOLDS[ch] ?? ch;
  }
  return out
    .replace(/&/g, " and ")
    .replace(/['’‘`´ʼʻ.]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/\s+/g, " ");
}

/** "AL ZAWAHIRI, Dr. Ayman" → "Dr. Ayman AL ZAWAHIRI": the list writes individuals surname first. */
export function naturalOrder(name: string): string {
  const parts = name.split(",");
  if (parts.length !== 2) return name;
  const [last = "", first = ""] = parts.map((p) => p.trim());
  return first && last ? `${first} ${last}` : name;
}

export interface NameTokens {
  /** Every meaningful token, in natural order (honorifics removed for persons). */
  tokens: string[];
  /** Tokens that may be used to look candidates up (organization fillers removed). */
  searchable: string[];
}

const LONG_FILLERS = [...ORGANIZATION_FILLERS].filter((f) => f.length >= 5);

const fuzzyFillers = new Map<string, boolean>();

/** A legal form or filler word, also when mistyped ("liabilty", "compnay"). */
export function isFiller(token: string, party: Party): boolean {
  if (party !== "organization") return false;
  if (ORGANIZATION_FILLERS.has(token)) return true;
  if (token.length < 5) return false;
  let known = fuzzyFillers.get(token);
  if (known === undefined) {
    known = LONG_FILLERS.some((f) => Math.abs(f.length - token.length) <= 1 && osaDistance(f, token) <= 1);
    if (fuzzyFillers.size > 50_000) fuzzyFillers.clear();
    fuzzyFillers.set(token, known);
  }
  return known;
}

/** A token that weighs little in a name: a person's particle, an organization's filler or generic word. */
export function isParticle(token: string, party: Party): boolean {
  return party === "person" ? PERSON_PARTICLES.has(token) : GENERIC_ORGANIZATION_WORDS.has(token) || isFiller(token, party);
}

/**
 * Tokens of a name as written by a user or by the list. "LAST, First" is turned around for persons,
 * then leading titles and trailing suffixes are dropped.
 */
export function tokenizeName(name: string, party: Party): NameTokens {
  const ordered = party === "person" ? naturalOrder(name) : name;
  const folded = foldName(ordered);
  const all = folded ? folded.split(" ") : [];
  let start = 0;
  let end = all.length;
  // Only where titles are written: "SHEIKH, Muhammad" is a surname, "Sheikh Muhammad" a title.
  if (party === "person") {
    while (start < end - 1 && HONORIFICS.has(all[start] ?? "")) start++;
    while (end > start + 1 && SUFFIXES.has(all[end - 1] ?? "")) end--;
  }
  const kept = all.slice(start, end);
  const searchable = kept.filter((t) => !isFiller(t, party));
  return { tokens: kept, searchable: searchable.length > 0 ? searchable : kept };
}
