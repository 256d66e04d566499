import { type Party, isFiller, isParticle } from "./normalize-name.ts";
import { jaroWinkler, osaDistance } from "./similarity.ts";

/**
 * Name similarity in [0, 1]: a fuzzy, order-free token alignment. Tokens are paired one-to-one by
 * similarity (Jaro-Winkler averaged with the edit-distance ratio, so "ivan" is not "ivanov"), and the
 * score is the similarity-weighted share of the two names' mass (a token weighs its length).
 * Unpaired tokens on either side lower the score, but less than a mismatch would: the list often
 * carries patronymics and second surnames that a customer record lacks, and the other way round.
 */

/** Share of an unpaired candidate token's weight that counts against the score. */
export const CANDIDATE_EXTRA_WEIGHT = 0.25;
/** Share of an unpaired query token's weight that counts against the score. */
export const QUERY_EXTRA_WEIGHT = 0.5;
const FIRST_LETTER_PENALTY = 0.05;
/** Token pairs below this similarity are not paired at all. */
const MIN_TOKEN_SIMILARITY = 0.7;
/** Persons agreeing on one name only ("Martin" against "Pedro Martin") are at most this similar. */
const SINGLE_TOKEN_CAP = 0.75;

function tokenWeight(token: string, party: Party): number {
  return isParticle(token, party) ? Math.max(1, token.length * 0.4) : token.length;
}

export function tokenSimilarity(a: string, b: string, party: Party): number {
  if (a === b) return 1;
  // A person's initial against a full token: "j" for "jose".
  if (a.length === 1 || b.length === 1) return party === "person" && a[0] === b[0] ? 0.9 : 0;
  const editRatio = 1 - osaDistance(a, b) / Math.max(a.length, b.length);
  // Names that differ in their first letter are less often the same one (Usama/Osama aside).
  return (jaroWinkler(a, b) + editRatio) / 2 - (a[0] === b[0] ? 0 : FIRST_LETTER_PENALTY);
}

export interface AlignedPair {
  query: string;
  candidate: string;
  similarity: number;
}

function alignTokens(query: string[], candidate: string[], party: Party): { score: number; pairs: AlignedPair[] } {
  const options: { i: number; j: number; similarity: number }[] = [];
  for (let i = 0; i < query.length; i++) {
    for (let j = 0; j < candidate.length; j++) {
      const similarity = tokenSimilarity(query[i] ?? "", candidate[j] ?? "", party);
      if (similarity >= MIN_TOKEN_SIMILARITY) options.push({ i, j, similarity });
    }
  }
  options.sort((x, y) => y.similarity - x.similarity);
  const usedQ = new Set<number>();
  const usedC = new Set<number>();
  const pairs: AlignedPair[] = [];
  let matched = 0;
  let pairedMass = 0;
  for (const o of options) {
    if (usedQ.has(o.i) || usedC.has(o.j)) continue;
    usedQ.add(o.i);
    usedC.add(o.j);
    const q = query[o.i] ?? "";
    const c = candidate[o.j] ?? "";
    const mass = tokenWeight(q, party) + tokenWeight(c, party);
    matched += o.similarity * mass;
    pairedMass += mass;
    pairs.push({ query: q, candidate: c, similarity: o.similarity });
  }
  const extra = (tokens: string[], used: Set<number>) =>
    tokens.reduce((sum, t, k) => (used.has(k) ? sum : sum + tokenWeight(t, party)), 0);
  const total = pairedMass + QUERY_EXTRA_WEIGHT * extra(query, usedQ) + CANDIDATE_EXTRA_WEIGHT * extra(candidate, usedC);
  let score = total > 0 ? matched / total : 0;
  if (party === "person") {
    const significant = (tokens: string[]) => tokens.filter((t) => !isParticle(t, party)).length;
    const pairedSignificant = pairs.filter((p) => !isParticle(p.candidate, party)).length;
    if (pairedSignificant < 2 && Math.max(significant(query), significant(candidate)) >= 2) score = Math.min(score, SINGLE_TOKEN_CAP);
  }
  return { score, pairs };
}

/** "al zawahiri" → "alzawahiri": people write particles joined, hyphenated or apart. */
function glueParticles(tokens: string[], party: Party): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] ?? "";
    const next = tokens[k + 1];
    if (next !== undefined && party === "person" && isParticle(t, party) && t.length <= 4) {
      out.push(t + next);
      k++;
    } else out.push(t);
  }
  return out;
}

export interface NameScore {
  score: number;
  pairs: AlignedPair[];
}

/** Legal forms and filler words do not make two organizations alike ("X Trading Ltd" is not "Y Trading Ltd"). */
function withoutFillers(tokens: string[], party: Party): string[] {
  if (party !== "organization") return tokens;
  const kept = tokens.filter((t) => !isFiller(t, party));
  return kept.length > 0 ? kept : tokens;
}

export function scoreName(queryTokens: string[], candidateTokens: string[], party: Party): NameScore {
  const query = withoutFillers(queryTokens, party);
  const candidate = withoutFillers(candidateTokens, party);
  if (query.length === 0 || candidate.length === 0) return { score: 0, pairs: [] };
  let best = alignTokens(query, candidate, party);
  if (best.score < 1 && party === "person") {
    const gluedQ = glueParticles(query, party);
    const gluedC = glueParticles(candidate, party);
    for (const [q, c] of [
      [gluedQ, candidate],
      [query, gluedC],
      [gluedQ, gluedC],
    ] as const) {
      if (q.length === query.length && c.length === candidate.length) continue;
      const alt = alignTokens(q, c, party);
      if (alt.score > best.score) best = alt;
    }
  }
  return { score: Math.min(1, best.score), pairs: best.pairs };
}
