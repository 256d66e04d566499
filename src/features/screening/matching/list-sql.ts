import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import {
  sanctionsEntries,
  sanctionsLists,
  sanctionsNameTokens,
  sanctionsNames,
  sanctionsTokenVariants,
} from "../../../db/schema/screening.ts";
import type { ListRows } from "./list-rows.ts";

/**
 * The SQL that loads one copy of the list, shared by the CLI importer (written to files for
 * `wrangler d1 execute`) and the admin upload (run as D1 batches). Values are written as SQL
 * literals, not bound: D1 allows at most 100 bound parameters per statement, which would mean
 * thousands of statements for ~230k rows, while literal multi-row INSERTs stay under D1's
 * 100 KB statement limit with a few hundred.
 */

/** Below D1's 100,000-byte statement limit with room for the last row. */
export const MAX_STATEMENT_BYTES = 90_000;

type SqlValue = string | number | boolean | null | undefined | object;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A value as an SQLite literal. Strings: quotes doubled, NULs and unpaired surrogates removed. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as SQL`);
    return String(value);
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `'${text.replace(/\u0000/g, "").replace(LONE_SURROGATE, "\uFFFD").replace(/'/g, "''")}'`;
}

const utf8Bytes = (text: string) => {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) bytes += 2;
  return bytes;
};

/** Multi-row INSERTs of `rows` (property names as in the drizzle table), each under `maxBytes`. */
export function* insertStatements(
  table: SQLiteTable,
  rows: Iterable<Record<string, SqlValue>>,
  maxBytes = MAX_STATEMENT_BYTES,
): Generator<string> {
  const columns = getTableColumns(table);
  let keys: string[] | null = null;
  let head = "";
  let values: string[] = [];
  let size = 0;
  for (const row of rows) {
    if (!keys) {
      keys = Object.keys(row);
      const names = keys.map((k) => {
        const column = columns[k];
        if (!column) throw new Error(`${getTableName(table)} has no column ${k}`);
        return `"${column.name}"`;
      });
      head = `INSERT INTO "${getTableName(table)}" (${names.join(", ")}) VALUES `;
    }
    const tuple = `(${keys.map((k) => sqlLiteral(row[k])).join(", ")})`;
    const tupleBytes = utf8Bytes(tuple) + 1;
    if (values.length > 0 && utf8Bytes(head) + size + tupleBytes > maxBytes) {
      yield `${head}${values.join(",")}`;
      values = [];
      size = 0;
    }
    values.push(tuple);
    size += tupleBytes;
  }
  if (values.length > 0) yield `${head}${values.join(",")}`;
}

export interface ListLoad {
  listId: string;
  source: string;
  checksum: string;
  startedAt: string;
}

const listsTable = `"${getTableName(sanctionsLists)}"`;
const rowTables = [sanctionsEntries, sanctionsNames, sanctionsNameTokens, sanctionsTokenVariants].map((t) => `"${getTableName(t)}"`);

/**
 * Removes the rows of every list that is not active (superseded, or an import that died half-way).
 * Superseded lists keep their `sanctions_lists` row as the history of imports.
 */
export function cleanupStatements(): string[] {
  const stale = `SELECT "id" FROM ${listsTable} WHERE "status" <> 'active'`;
  return [...rowTables.map((t) => `DELETE FROM ${t} WHERE "list_id" IN (${stale})`), `DELETE FROM ${listsTable} WHERE "status" = 'loading'`];
}

/** Registers the new copy as `loading`: screening keeps reading the active one meanwhile. */
export function beginStatement(load: ListLoad, rows: ListRows): string {
  return [...insertStatements(sanctionsLists, [
    {
      id: load.listId,
      source: load.source,
      checksum: load.checksum,
      status: "loading",
      entries: rows.entries.length,
      names: rows.names.length,
      tokens: rows.tokens.length,
      startedAt: load.startedAt,
      loadedAt: null,
    },
  ])].join("");
}

/** Every row of the new copy, tagged with its list id. */
export function* rowStatements(listId: string, rows: ListRows, maxBytes = MAX_STATEMENT_BYTES): Generator<string> {
  yield* insertStatements(sanctionsEntries, rows.entries.map((r) => ({ listId, ...r })), maxBytes);
  yield* insertStatements(sanctionsNames, rows.names.map((r) => ({ listId, ...r })), maxBytes);
  yield* insertStatements(sanctionsNameTokens, rows.tokens.map((r) => ({ listId, ...r })), maxBytes);
  yield* insertStatements(sanctionsTokenVariants, rows.variants.map((r) => ({ listId, ...r })), maxBytes);
}

/**
 * One statement, so the switch is atomic: the new copy becomes active, every other one superseded.
 * It does nothing when the new copy is no longer `loading` (another import cleaned it away).
 */
export function activateStatement(listId: string, loadedAt: string): string {
  const id = sqlLiteral(listId);
  return `UPDATE ${listsTable} SET "status" = CASE WHEN "id" = ${id} THEN 'active' ELSE 'superseded' END, "loaded_at" = CASE WHEN "id" = ${id} THEN ${sqlLiteral(loadedAt)} ELSE "loaded_at" END WHERE ("id" = ${id} OR "status" = 'active') AND EXISTS (SELECT 1 FROM ${listsTable} WHERE "id" = ${id} AND "status" = 'loading')`;
}
