import type { Db } from "../../platform/db/client";
import type { EntryFacts, NameKind } from "./matching/list-rows";
import {
  type CountryEvidence,
  type DobEvidence,
  COUNTRY_ADJUSTMENT,
  DOB_ADJUSTMENT,
  countryEvidence,
  dateOfBirthEvidence,
} from "./matching/match-evidence";
import { type Party, tokenizeName } from "./matching/normalize-name";
import { scoreName } from "./matching/score-name";
import { type ActiveList, type CandidateName, findCandidates, loadEntries } from "./candidates";

/** OFAC does not expect screening on weak aliases; a match on one alone ranks a little lower. */
export const WEAK_ALIAS_PENALTY = 0.05;

export type RiskLevel = "none" | "low" | "medium" | "high";

export interface ScreeningRequest {
  name: string;
  party: Party;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  dateOfBirth?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  threshold: number;
  maxMatches: number;
  /** When screening a stored entity: its organization's clearances apply. */
  entity?: { orgId: string; entityId: string };
}

export interface ScreeningMatch {
  sdnId: number;
  name: string;
  matchedName: string;
  score: number;
  type: string;
  programs: string[];
  remarks: string | null;
  cleared: boolean;
  clearanceId: string | null;
  explanation: {
    name: { score: number; matchedName: string; nameKind: NameKind; weakAlias: boolean; tokens: { query: string; listed: string; similarity: number }[] };
    dateOfBirth: DobEvidence;
    country: CountryEvidence;
  };
}

export interface ScreeningResult {
  hit: boolean;
  riskLevel: RiskLevel;
  screenedName: string;
  threshold: number;
  list: ActiveList | null;
  /** Names scored after the index lookup: the work done, never the list's size. */
  candidatesScored: number;
  matches: ScreeningMatch[];
}

/** The highest uncleared score decides: ≥ 0.95 high, ≥ 0.90 medium, any other match low. */
export function riskLevelOf(score: number | undefined): RiskLevel {
  if (score === undefined) return "none";
  if (score >= 0.95) return "high";
  if (score >= 0.9) return "medium";
  return "low";
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const MAX_BOOST = Math.max(...Object.values(DOB_ADJUSTMENT)) + COUNTRY_ADJUSTMENT;

interface BestName {
  candidate: CandidateName;
  score: number;
  tokens: { query: string; listed: string; similarity: number }[];
}

/** Screens one name against the active SDN list: index lookup, name scoring, then date of birth and country. */
export async function screenName(db: Db, request: ScreeningRequest): Promise<ScreeningResult> {
  const { tokens, searchable } = tokenizeName(request.name, request.party);
  const lookup = await findCandidates(db, { searchable, party: request.party }, request.entity);
  const base = { screenedName: tokens.join(" "), threshold: request.threshold, list: lookup.list, candidatesScored: lookup.names.length };
  if (!lookup.list) return { ...base, hit: false, riskLevel: "none", matches: [] };

  const best = new Map<number, BestName>();
  for (const candidate of lookup.names) {
    const scored = scoreName(tokens, candidate.normalized.split(" "), request.party);
    const score = scored.score - (candidate.quality === "weak" ? WEAK_ALIAS_PENALTY : 0);
    const prior = best.get(candidate.sdnId);
    if (!prior || score > prior.score) {
      best.set(candidate.sdnId, {
        candidate,
        score,
        tokens: scored.pairs.map((p) => ({ query: p.query, listed: p.candidate, similarity: round(p.similarity) })),
      });
    }
  }
  // Only names that evidence could still lift over the threshold are worth loading their entries for.
  const worthALook = [...best.values()].filter((b) => b.score + MAX_BOOST >= request.threshold);
  const entries = await loadEntries(db, lookup.list.id, worthALook.map((b) => b.candidate.sdnId));
  const cleared = new Map(lookup.clearances.map((c) => [c.sdnId, c.id]));

  const matches: ScreeningMatch[] = [];
  for (const b of worthALook) {
    const entry = entries.get(b.candidate.sdnId);
    if (!entry) continue;
    const facts = entry.facts as unknown as EntryFacts;
    const dateOfBirth = dateOfBirthEvidence(request.dateOfBirth, facts.datesOfBirth ?? []);
    const country = countryEvidence(request.country, facts.countries ?? []);
    const score = round(Math.max(0, Math.min(1, b.score + dateOfBirth.adjustment + country.adjustment)));
    if (score < request.threshold) continue;
    matches.push({
      sdnId: entry.sdnId,
      name: entry.name,
      matchedName: b.candidate.name,
      score,
      type: entry.type,
      programs: entry.programs,
      remarks: entry.remarks,
      cleared: cleared.has(entry.sdnId),
      clearanceId: cleared.get(entry.sdnId) ?? null,
      explanation: {
        name: {
          score: round(b.score),
          matchedName: b.candidate.name,
          nameKind: b.candidate.kind,
          weakAlias: b.candidate.quality === "weak",
          tokens: b.tokens,
        },
        dateOfBirth,
        country,
      },
    });
  }
  matches.sort((x, y) => y.score - x.score || x.sdnId - y.sdnId);
  const shown = matches.slice(0, request.maxMatches);
  const open = matches.filter((m) => !m.cleared);
  return { ...base, hit: open.length > 0, riskLevel: riskLevelOf(open[0]?.score), matches: shown };
}
