import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * An INSERT of every column of `table`, its SQL built once from the drizzle schema (names stay in one place)
 * and each row's values converted by the columns themselves (JSON, booleans). The hot write paths (an enrichment
 * record and its audit row per result) spent more CPU building the same SQL through the query builder than on
 * anything else.
 */
export function prebuiltInsert<T extends SQLiteTable>(table: T, conflict: "" | "ON CONFLICT DO NOTHING" = "") {
  const columns = Object.entries(getTableColumns(table));
  const sql = `INSERT INTO "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${conflict}`.trim();
  return (db: Db, values: T["$inferInsert"]): D1PreparedStatement => {
    const row = values as Record<string, unknown>;
    const params = columns.map(([key, column]) => {
      const value = row[key];
      return value === undefined || value === null ? null : column.mapToDriverValue(value);
    });
    return db.$client.prepare(sql).bind(...params);
  };
}
