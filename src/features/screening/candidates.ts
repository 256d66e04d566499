import { type SQL, type SQLWrapper, and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import {
  sanctionsEntries,
  sanctionsLists,
  sanctionsNameTokens,
  sanctionsNames,
  sanctionsTokenVariants,
  screeningClearances,
} from "../../db/schema/screening";
import { type NameKind, TYPO_MIN_LENGTH } from "./matching/list-rows";
import type { Party } from "./matching/normalize-name";
import { deletionKeys } from "./matching/similarity";

/** Names ranked by the summed weight of the tokens they share with the query; only these are scored. */
export const CANDIDATE_LIMIT = 60;
/** Tokens reached only through a typo variant rank below exact ones. */
const VARIANT_RANK_FACTOR = 0.6;
/** Long queries are cut: the first tokens are enough to find a name, and the variant list stays small. */
const MAX_QUERY_TOKENS = 12;

/** The id of the active list, as a scalar subquery, so every lookup is one statement. */
const activeListId = sql`(SELECT ${sanctionsLists.id} FROM ${sanctionsLists} WHERE ${sanctionsLists.status} = 'active' LIMIT 1)`;

/** `column IN (values)` with the values as one JSON parameter: D1 allows only 100 bound parameters. */
const inJsonArray = (column: SQLWrapper, values: string[]): SQL => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;

/**
 * The CANDIDATE_LIMIT names sharing most with the query: its tokens and their one-deletion keys are
 * looked up in the variant index, the tokens found are looked up in the token index, and names are
 * ranked by the summed weight (IDF) of the tokens they share, typo-reached tokens counting less.
 */
function candidateNamesQuery(db: Db, exact: string[], keys: string[], party: Party) {
  const v = sanctionsTokenVariants;
  const t = sanctionsNameTokens;
  const n = sanctionsNames;
  const expanded = db
    .selectDistinct({ token: v.token })
    .from(v)
    .where(and(eq(v.listId, activeListId), inJsonArray(v.variant, keys)));
  const rank = sql<number>`SUM(CASE WHEN ${inJsonArray(t.token, exact)} THEN ${t.weight} ELSE ${t.weight} * ${VARIANT_RANK_FACTOR} END)`;
  const ranked = db
    .select({ nameId: t.nameId })
    .from(t)
    .where(and(eq(t.listId, activeListId), eq(t.party, party), inArray(t.token, expanded)))
    .groupBy(t.nameId)
    .orderBy(desc(rank), asc(t.nameId))
    .limit(CANDIDATE_LIMIT);
  // `IN (ranked)` rather than a join: SQLite then probes the names' primary key for the few ranked ids.
  return db
    .select({ nameId: n.nameId, sdnId: n.sdnId, name: n.name, normalized: n.normalized, kind: n.kind, quality: n.quality })
    .from(n)
    .where(and(eq(n.listId, activeListId), inArray(n.nameId, ranked)));
}

export interface CandidateName {
  nameId: number;
  sdnId: number;
  name: string;
  normalized: string;
  kind: NameKind;
  quality: "strong" | "weak";
}

export interface ActiveList {
  id: string;
  source: string;
  loadedAt: string | null;
  entries: number;
}

export interface CandidateLookup {
  list: ActiveList | null;
  names: CandidateName[];
  clearances: { id: string; sdnId: number }[];
}

/**
 * One round trip: the active list, the candidate names found through the token index (exact tokens
 * and their one-edit variants, never a scan of the list) and, when screening an entity, its clearances.
 */
export async function findCandidates(
  db: Db,
  query: { searchable: string[]; party: Party },
  clearancesOf?: { orgId: string; entityId: string },
): Promise<CandidateLookup> {
  const exact = [...new Set(query.searchable)].slice(0, MAX_QUERY_TOKENS);
  const keys = [...new Set(exact.flatMap((t) => deletionKeys(t, TYPO_MIN_LENGTH)))];
  const listQuery = db
    .select({ id: sanctionsLists.id, source: sanctionsLists.source, loadedAt: sanctionsLists.loadedAt, entries: sanctionsLists.entries })
    .from(sanctionsLists)
    .where(eq(sanctionsLists.status, "active"))
    .limit(1);
  const namesQuery = candidateNamesQuery(db, exact, keys, query.party);
  const clearancesQuery = db
    .select({ id: screeningClearances.id, sdnId: screeningClearances.sdnId })
    .from(screeningClearances)
    .where(and(eq(screeningClearances.orgId, clearancesOf?.orgId ?? ""), eq(screeningClearances.entityId, clearancesOf?.entityId ?? "")));
  const [lists, names, clearances] = await db.batch([listQuery, namesQuery, clearancesQuery]);
  return { list: lists[0] ?? null, names: exact.length > 0 ? names : [], clearances: clearancesOf ? clearances : [] };
}

export type EntryRow = typeof sanctionsEntries.$inferSelect;

/** The listed entries behind the names worth a closer look (at most CANDIDATE_LIMIT ids). */
export async function loadEntries(db: Db, listId: string, sdnIds: number[]): Promise<Map<number, EntryRow>> {
  if (sdnIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(sanctionsEntries)
    .where(and(eq(sanctionsEntries.listId, listId), inArray(sanctionsEntries.sdnId, sdnIds.slice(0, CANDIDATE_LIMIT))));
  return new Map(rows.map((r) => [r.sdnId, r]));
}
