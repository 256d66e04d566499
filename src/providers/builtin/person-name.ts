/** Words that open a family name ("van der Berg", "de la Cruz", "bin Salman"): they stay with it. */
const PARTICLES = new Set([
  "af",
  "al",
  "av",
  "bin",
  "da",
  "das",
  "de",
  "del",
  "della",
  "den",
  "der",
  "di",
  "do",
  "dos",
  "du",
  "el",
  "ibn",
  "la",
  "le",
  "lo",
  "st",
  "ten",
  "ter",
  "van",
  "von",
  "zu",
]);

const HONORIFICS = new Set(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "mme", "mlle", "rev"]);
const SUFFIXES = new Set(["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "cpa"]);

/** Letters that Unicode decomposition does not reduce to ASCII. */
const SPECIAL_LETTERS: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", ł: "l", þ: "th", ı: "i", ŀ: "l" };

/** "Zoë Łukasiewicz-O'Neill" → "zoe lukasiewicz-oneill": what mail systems make of names. */
export function foldName(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[ßæœøđðłþıŀ]/g, (c) => SPECIAL_LETTERS[c] ?? c)
    .replace(/['’‘`.]/g, "")
    .replace(/[^a-z0-9\s-]/g, " ")
    .replace(/\s*-\s*/g, "-")
    .replace(/-+/g, "-")
    .trim();
}

const tokensOf = (value: string) =>
  foldName(value)
    .split(/\s+/)
    .map((t) => t.replace(/^-+|-+$/g, ""))
    .filter(Boolean);

const unique = (values: string[]) => [...new Set(values.filter(Boolean))];

/** The ways a first name is written in addresses: "jeanpierre", "jean-pierre", "jean". */
function firstForms(tokens: string[]): string[] {
  const [head = ""] = tokens;
  return unique([tokens.join("").replaceAll("-", ""), tokens.join(""), head.split("-")[0] ?? ""]);
}

/** Family name forms: "vanderberg", "berg" (without particles), "garcia" (first of a compound). */
function lastForms(tokens: string[]): string[] {
  const core = tokens.filter((t, i) => i === tokens.length - 1 || !PARTICLES.has(t));
  const [coreHead = ""] = core;
  return unique([tokens.join("").replaceAll("-", ""), tokens.join(""), core.join("").replaceAll("-", ""), coreHead.split("-")[0] ?? ""]);
}

export interface PersonName {
  /** Preferred form first, then alternatives; empty when the name has no usable Latin letters. */
  first: string[];
  /** Empty when only one name is known. */
  last: string[];
}

/** "Berg, Jan" / "Dr. Jan van der Berg Jr." → first ["jan"], last ["van", "der", "berg"]. */
function splitFullName(fullName: string): { first: string[]; last: string[] } {
  const [before, after] = fullName.split(",", 2);
  if (after !== undefined && before !== undefined && tokensOf(after).some((t) => !SUFFIXES.has(t))) {
    return splitFullName(`${after} ${before}`);
  }
  const tokens = tokensOf(fullName);
  while (tokens.length > 1 && HONORIFICS.has(tokens[0] ?? "")) tokens.shift();
  while (tokens.length > 1 && SUFFIXES.has(tokens[tokens.length - 1] ?? "")) tokens.pop();
  if (tokens.length <= 1) return { first: tokens, last: [] };
  const particle = tokens.findIndex((t, i) => i > 0 && i < tokens.length - 1 && PARTICLES.has(t));
  return { first: tokens.slice(0, 1), last: particle > 0 ? tokens.slice(particle) : tokens.slice(-1) };
}

/** The name forms of a person from `firstName`/`lastName`, else from `fullName`; null when nothing is usable. */
export function personNameOf(attributes: Record<string, unknown>): PersonName | null {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  let first = tokensOf(str(attributes.firstName));
  let last = tokensOf(str(attributes.lastName));
  if (first.length === 0 || last.length === 0) {
    const split = splitFullName(str(attributes.fullName));
    if (first.length === 0) first = split.first;
    if (last.length === 0) last = split.last;
  }
  if (first.length === 0) return null;
  return { first: firstForms(first), last: last.length > 0 ? lastForms(last) : [] };
}
