import { type Party, tokenizeName } from "./normalize-name.ts";
import type { SdnEntry, SdnType } from "./parse-sdn-csv.ts";
import type { AliasKind } from "./remarks.ts";
import { deletionKeys } from "./similarity.ts";

export type NameKind = "primary" | AliasKind;

/** Everything screening shows or weighs about an entry besides its names. */
export interface EntryFacts {
  title: string | null;
  datesOfBirth: SdnEntry["datesOfBirth"];
  placesOfBirth: string[];
  nationalities: string[];
  citizenships: string[];
  countries: string[];
  gender: string | null;
  aliases: SdnEntry["aliases"];
  vessel: SdnEntry["vessel"];
}

export interface EntryRow {
  sdnId: number;
  name: string;
  type: SdnType;
  programs: string[];
  remarks: string | null;
  facts: EntryFacts;
}

export interface NameRow {
  nameId: number;
  sdnId: number;
  name: string;
  /** Folded tokens in natural order, space-separated. */
  normalized: string;
  kind: NameKind;
  quality: "strong" | "weak";
  party: Party;
}

export interface TokenRow {
  party: Party;
  token: string;
  nameId: number;
  sdnId: number;
  /** Inverse document frequency among the party's names: rare tokens rank candidates first. */
  weight: number;
}

export interface VariantRow {
  variant: string;
  token: string;
}

export interface ListRows {
  entries: EntryRow[];
  names: NameRow[];
  tokens: TokenRow[];
  variants: VariantRow[];
}

/** Individuals are screened as persons; entities, vessels and aircraft as organizations. */
export const partyOf = (type: SdnType): Party => (type === "individual" ? "person" : "organization");

/** Tokens shorter than this get no typo variants: a one-letter change to "ali" is another name. */
export const TYPO_MIN_LENGTH = 4;

/** Turns parsed entries into the rows of the entries, names, token index and typo-variant tables. */
export function buildListRows(parsed: SdnEntry[]): ListRows {
  const entries: EntryRow[] = [];
  const names: NameRow[] = [];
  const postings: { party: Party; token: string; nameId: number; sdnId: number }[] = [];
  const documentFrequency = new Map<string, number>();
  const namesPerParty: Record<Party, number> = { person: 0, organization: 0 };

  for (const e of parsed) {
    entries.push({
      sdnId: e.sdnId,
      name: e.name,
      type: e.type,
      programs: e.programs,
      remarks: e.remarks,
      facts: {
        title: e.title,
        datesOfBirth: e.datesOfBirth,
        placesOfBirth: e.placesOfBirth,
        nationalities: e.nationalities,
        citizenships: e.citizenships,
        countries: e.countries,
        gender: e.gender,
        aliases: e.aliases,
        vessel: e.vessel,
      },
    });
    const party = partyOf(e.type);
    const listed = [
      { name: e.name, kind: "primary" as NameKind, quality: "strong" as const },
      ...e.aliases.map((a) => ({ name: a.name, kind: a.kind as NameKind, quality: a.quality })),
    ];
    const seenNames = new Set<string>();
    for (const item of listed) {
      const { tokens, searchable } = tokenizeName(item.name, party);
      const normalized = tokens.join(" ");
      if (!normalized || seenNames.has(normalized)) continue;
      seenNames.add(normalized);
      const nameId = names.length + 1;
      names.push({ nameId, sdnId: e.sdnId, name: item.name, normalized, kind: item.kind, quality: item.quality, party });
      namesPerParty[party]++;
      for (const token of new Set(searchable)) {
        postings.push({ party, token, nameId, sdnId: e.sdnId });
        const key = `${party}:${token}`;
        documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
      }
    }
  }

  const tokens = postings.map((p) => ({
    ...p,
    weight: Math.round(Math.log(1 + namesPerParty[p.party] / (documentFrequency.get(`${p.party}:${p.token}`) ?? 1)) * 1000) / 1000,
  }));
  const variants: VariantRow[] = [];
  for (const token of new Set(postings.map((p) => p.token))) {
    for (const variant of deletionKeys(token, TYPO_MIN_LENGTH)) variants.push({ variant, token });
  }
  return { entries, names, tokens, variants };
}
