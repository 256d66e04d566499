import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import type { SqlFragment } from "./sql-fragment";

/**
 * An INSERT of every column of `table`, its SQL built once from the drizzle schema (names stay in one place)
 * and each row's values converted by the columns themselves (JSON, booleans). The hot write paths (an enrichment
 * record and its audit row per result) spent more CPU building the same SQL through the query builder than on
 * anything else.
 */
export function prebuiltInsert<T extends SQLiteTable>(table: T, conflict: "" | "ON CONFLICT DO NOTHING" = "") {
  const columns = Object.entries(getTableColumns(table));
  const sql = `INSERT INTO "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${conflict}`.trim();
  return (db: Db, values: T["$inferInsert"]): D1PreparedStatement => db.$client.prepare(sql).bind(...rowParams(columns, values));
}

/** A row's values in column order, each converted by its column (JSON, booleans). */
function rowParams(columns: [string, { mapToDriverValue(value: unknown): unknown }][], values: object): unknown[] {
  const row = values as Record<string, unknown>;
  return columns.map(([key, column]) => {
    const value = row[key];
    return value === undefined || value === null ? null : column.mapToDriverValue(value);
  });
}

/**
 * `INSERT OR IGNORE … SELECT … WHERE <onlyIf>`: the row lands only when the guard holds (and no row with its key
 * exists), for writes that must happen with another write of the same batch or not at all.
 */
export function guardedInsert<T extends SQLiteTable>(table: T) {
  const columns = Object.entries(getTableColumns(table));
  const sql = `INSERT OR IGNORE INTO "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) SELECT ${columns.map(() => "?").join(", ")} WHERE `;
  return (db: Db, values: T["$inferInsert"], onlyIf: SqlFragment): D1PreparedStatement =>
    db.$client.prepare(`${sql}(${onlyIf.sql})`).bind(...rowParams(columns, values), ...onlyIf.params);
}
