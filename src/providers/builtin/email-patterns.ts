import type { PersonName } from "./person-name";

type Render = (first: string, last: string) => string;

/** The usual corporate address formats, as functions of the folded first and last name. */
const PATTERNS = {
  "first.last": (f, l) => `${f}.${l}`,
  first: (f) => f,
  flast: (f, l) => `${f[0]}${l}`,
  firstlast: (f, l) => `${f}${l}`,
  "f.last": (f, l) => `${f[0]}.${l}`,
  first_last: (f, l) => `${f}_${l}`,
  firstl: (f, l) => `${f}${l[0]}`,
  "first.l": (f, l) => `${f}.${l[0]}`,
  last: (_f, l) => l,
  "last.first": (f, l) => `${l}.${f}`,
  lastf: (f, l) => `${l}${f[0]}`,
  "first-last": (f, l) => `${f}-${l}`,
  lastfirst: (f, l) => `${l}${f}`,
  last_first: (f, l) => `${l}_${f}`,
  f_last: (f, l) => `${f[0]}_${l}`,
} satisfies Record<string, Render>;

export type EmailPattern = keyof typeof PATTERNS;
export const EMAIL_PATTERNS = Object.keys(PATTERNS) as EmailPattern[];

/**
 * A weak prior over formats when nothing is known about a domain: hand-set shares reflecting what public
 * surveys of B2B address formats commonly report (first.last leads, then first and flast). Sums to 1.
 * It is worth PRIOR_WEIGHT observed addresses, so a couple of verified addresses at a domain outweigh it.
 */
export const PATTERN_PRIOR: Record<EmailPattern, number> = {
  "first.last": 0.3,
  first: 0.17,
  flast: 0.15,
  firstlast: 0.07,
  "f.last": 0.05,
  first_last: 0.04,
  firstl: 0.04,
  "first.l": 0.03,
  last: 0.03,
  "last.first": 0.03,
  lastf: 0.03,
  "first-last": 0.02,
  lastfirst: 0.02,
  last_first: 0.01,
  f_last: 0.01,
};
export const PRIOR_WEIGHT = 2;

const needsLast = (pattern: EmailPattern) => pattern !== "first";

export function renderPattern(pattern: EmailPattern, first: string, last: string): string | null {
  if (!first || (needsLast(pattern) && !last)) return null;
  return PATTERNS[pattern](first, last);
}

/**
 * Which format a known address follows for this person, trying every written form of the name
 * (with and without particles, hyphens, middle names). Null when the local part fits none.
 */
export function inferPattern(localPart: string, name: PersonName): EmailPattern | null {
  const local = (localPart.split("+")[0] ?? localPart).toLowerCase();
  for (const pattern of EMAIL_PATTERNS) {
    for (const first of name.first) {
      for (const last of needsLast(pattern) ? name.last : [""]) {
        if (renderPattern(pattern, first, last) === local) return pattern;
      }
    }
  }
  return null;
}

export type PatternCounts = Partial<Record<EmailPattern, number>>;

/**
 * Share of each format at a domain: prior pseudo-counts plus verified addresses seen anywhere (global) plus
 * the organization's own addresses once more, since they are the closest evidence about this very company.
 */
export function patternShares(global: PatternCounts, organization: PatternCounts): Record<EmailPattern, number> {
  const weights = EMAIL_PATTERNS.map((p) => PRIOR_WEIGHT * PATTERN_PRIOR[p] + (global[p] ?? 0) + (organization[p] ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return Object.fromEntries(EMAIL_PATTERNS.map((p, i) => [p, (weights[i] ?? 0) / total])) as Record<EmailPattern, number>;
}

export interface Candidate {
  localPart: string;
  pattern: EmailPattern;
  /** Share of the format, lowered for a secondary spelling of the name. */
  score: number;
}

/** Alternative spellings (without particles, first part of a compound) are plausible but less likely. */
const ALTERNATE_FORM_FACTOR = 0.35;

/** Every candidate local part, best first; a local part reached twice keeps its best score. */
export function rankCandidates(name: PersonName, shares: Record<EmailPattern, number>): Candidate[] {
  const best = new Map<string, Candidate>();
  const [primaryFirst = "", ...otherFirst] = name.first;
  const [primaryLast = "", ...otherLast] = name.last;
  const spellings: { first: string; last: string; factor: number }[] = [{ first: primaryFirst, last: primaryLast, factor: 1 }];
  for (const first of otherFirst) spellings.push({ first, last: primaryLast, factor: ALTERNATE_FORM_FACTOR });
  for (const last of otherLast) spellings.push({ first: primaryFirst, last, factor: ALTERNATE_FORM_FACTOR });
  for (const { first, last, factor } of spellings) {
    for (const pattern of EMAIL_PATTERNS) {
      const localPart = renderPattern(pattern, first, last);
      if (!localPart) continue;
      const score = shares[pattern] * factor;
      const existing = best.get(localPart);
      if (!existing || existing.score < score) best.set(localPart, { localPart, pattern, score });
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.localPart.localeCompare(b.localPart));
}
