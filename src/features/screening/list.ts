import { and, desc, eq, gt } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { sanctionsLists } from "../../db/schema/screening";
import { ApiError } from "../../platform/errors";
import { sha256Hex } from "../../platform/lib/crypto";
import { nowIso } from "../../platform/lib/time";
import { buildListRows } from "./matching/list-rows";
import { activateStatement, beginStatement, cleanupStatements, rowStatements } from "./matching/list-sql";
import { SdnFormatError, parseSdnCsv } from "./matching/parse-sdn-csv";

/** The SDN list is about 4 MB; five times that is a broken or wrong upload. */
export const MAX_SANCTIONS_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Statements (each up to ~90 KB) per D1 batch: about 1 MB per round trip. */
const STATEMENTS_PER_BATCH = 12;
/** An import younger than this that is still `loading` is taken to be running. */
const RUNNING_IMPORT_MS = 15 * 60 * 1000;

export interface ImportSummary {
  listId: string;
  source: string;
  checksum: string;
  entries: number;
  names: number;
  tokens: number;
  typoVariants: number;
  skippedRows: number;
  loadedAt: string;
  statements: number;
}

async function runInBatches(d1: D1Database, statements: Iterable<string>): Promise<number> {
  let pending: D1PreparedStatement[] = [];
  let count = 0;
  for (const statement of statements) {
    pending.push(d1.prepare(statement));
    count++;
    if (pending.length >= STATEMENTS_PER_BATCH) {
      await d1.batch(pending);
      pending = [];
    }
  }
  if (pending.length > 0) await d1.batch(pending);
  return count;
}

/**
 * Loads a new copy of the SDN list beside the active one, then switches to it in one statement and
 * drops the old rows. Screening reads the old copy until the switch; a failure leaves it in force.
 */
export async function importSanctionsList(db: Db, csv: string, source: string): Promise<ImportSummary> {
  const startedAt = nowIso();
  const [running] = await db
    .select({ id: sanctionsLists.id })
    .from(sanctionsLists)
    .where(and(eq(sanctionsLists.status, "loading"), gt(sanctionsLists.startedAt, new Date(Date.now() - RUNNING_IMPORT_MS).toISOString())))
    .limit(1);
  if (running) throw new ApiError("CONFLICT", "Another sanctions list import is running", { details: { listId: running.id } });

  let parsed: ReturnType<typeof parseSdnCsv>;
  try {
    parsed = parseSdnCsv(csv);
  } catch (error) {
    if (error instanceof SdnFormatError) throw new ApiError("UNPROCESSABLE", error.message);
    throw error;
  }
  const rows = buildListRows(parsed.entries);
  const load = { listId: crypto.randomUUID(), source, checksum: await sha256Hex(csv), startedAt };
  const d1 = db.$client;

  let statements = await runInBatches(d1, [...cleanupStatements(), beginStatement(load, rows)]);
  statements += await runInBatches(d1, rowStatements(load.listId, rows));
  const loadedAt = nowIso();
  const switched = await d1.prepare(activateStatement(load.listId, loadedAt)).run();
  if (!switched.meta.changes) {
    throw new ApiError("CONFLICT", "Another import replaced this one while it was loading; the list was not switched");
  }
  statements += 1 + (await runInBatches(d1, cleanupStatements()));

  return {
    listId: load.listId,
    source,
    checksum: load.checksum,
    entries: rows.entries.length,
    names: rows.names.length,
    tokens: rows.tokens.length,
    typoVariants: rows.variants.length,
    skippedRows: parsed.skippedRows,
    loadedAt,
    statements,
  };
}

export type SanctionsListRow = typeof sanctionsLists.$inferSelect;

export function presentList(row: SanctionsListRow) {
  return {
    id: row.id,
    source: row.source,
    checksum: row.checksum,
    status: row.status,
    entries: row.entries,
    names: row.names,
    tokens: row.tokens,
    startedAt: row.startedAt,
    loadedAt: row.loadedAt,
  };
}

/** The active list and the most recent imports before it. */
export async function sanctionsListStatus(db: Db) {
  const [[active], recent] = await db.batch([
    db.select().from(sanctionsLists).where(eq(sanctionsLists.status, "active")).limit(1),
    db.select().from(sanctionsLists).orderBy(desc(sanctionsLists.startedAt)).limit(10),
  ]);
  return {
    loaded: active !== undefined,
    entries: active?.entries ?? 0,
    names: active?.names ?? 0,
    loadedAt: active?.loadedAt ?? null,
    source: active?.source ?? null,
    active: active ? presentList(active) : null,
    imports: recent.map(presentList),
  };
}
