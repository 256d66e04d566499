import { type Table, getTableColumns } from "drizzle-orm";

/**
 * A raw D1 row (column names, JSON as text, booleans as 0/1) as drizzle would hand it back: field names, each value
 * through its column's decoder. For rows read by prepared statements in a batch, where drizzle does not map them.
 */
export function decodeRow<T extends Table>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[field] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T["$inferSelect"];
}
