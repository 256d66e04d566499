import { type SQL, and, eq, lt, or } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Page size (1-200)." }),
  cursor: z.string().optional().openapi({ description: "The `nextCursor` of the previous page." }),
});

export interface Cursor {
  /** The sort value of the last row returned (a timestamp for most lists). */
  k: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify(cursor)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const json = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed = z.object({ k: z.string(), id: z.string() }).parse(JSON.parse(json));
    return parsed;
  } catch {
    throw new ApiError("VALIDATION_ERROR", "Invalid cursor", { details: [{ path: "cursor", message: "Invalid cursor" }] });
  }
}

/** Rows come back one longer than the page: the extra row only proves there is a next page. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => Cursor): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** Keyset condition for lists ordered by (sortColumn desc, id desc). */
export function afterCursor(sortColumn: SQLiteColumn, idColumn: SQLiteColumn, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(sortColumn, cursor.k), and(eq(sortColumn, cursor.k), lt(idColumn, cursor.id)));
}
