import { type SQL, and, eq, lt, or } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "../errors";
import { fromBase64Url, hmacSha256, purposeKey, toBase64Url } from "../lib/crypto";

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Page size (1-200)." }),
  cursor: z.string().optional().openapi({ description: "The `nextCursor` of the previous page." }),
});

export interface Cursor {
  /** The sort value of the last row returned (a timestamp for most lists). */
  k: string;
  id: string;
}

const invalidCursor = () =>
  new ApiError("VALIDATION_ERROR", "Invalid cursor", { details: [{ path: "cursor", message: "Not a cursor this list issued", code: "invalid_cursor" }] });

/** The unsigned token of a keyset position; `paged` signs it before it leaves. */
export function encodeCursor(cursor: Cursor): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(cursor)));
}

/** Reads a token `paged` has verified (or nothing, for the first page). */
export function decodeCursor(token: string | undefined): Cursor | undefined {
  if (!token) return undefined;
  const bytes = fromBase64Url(token);
  try {
    return z.object({ k: z.string(), id: z.string() }).parse(JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array())));
  } catch {
    throw invalidCursor();
  }
}

/** Longer than any cursor Dossier issues. */
const MAX_CURSOR_LENGTH = 512;

/** The list a cursor belongs to (its path, so one list's cursor is refused by another) and its token, MACed together. */
const cursorMac = async (secret: string, list: string, token: string) => hmacSha256(await purposeKey(secret, "cursors"), `${list}\n${token}`);

/**
 * One page of a list. Cursors are `<token>.<mac>`: the list's own position token (`encodeCursor`, or any string
 * the list reads back), with an HMAC over the list's path and the token under a key derived from `ENCRYPTION_KEY`.
 * A cursor this list did not issue, or one changed by a single character, is 400 VALIDATION_ERROR at `cursor`;
 * `list` gets the verified token and its `nextCursor` token is signed on the way out.
 */
export async function paged<P extends { nextCursor: string | null }>(
  c: Context<AppEnv>,
  cursor: string | undefined,
  list: (token: string | undefined) => Promise<P>,
): Promise<P> {
  const secret = c.get("settings").ENCRYPTION_KEY;
  const path = c.req.path;
  let token: string | undefined;
  if (cursor) {
    const dot = cursor.lastIndexOf(".");
    const mac = cursor.length <= MAX_CURSOR_LENGTH && dot > 0 ? fromBase64Url(cursor.slice(dot + 1)) : null;
    if (!mac) throw invalidCursor();
    token = cursor.slice(0, dot);
    const expected = await cursorMac(secret, path, token);
    if (mac.byteLength !== expected.byteLength || !crypto.subtle.timingSafeEqual(mac, expected)) throw invalidCursor();
  }
  const page = await list(token);
  if (page.nextCursor === null) return page;
  return { ...page, nextCursor: `${page.nextCursor}.${toBase64Url(await cursorMac(secret, path, page.nextCursor))}` };
}

/** Rows come back one longer than the page: the extra row only proves there is a next page. `nextCursor` is unsigned until `paged` signs it. */
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
