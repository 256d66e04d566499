import { type SQL, sql } from "drizzle-orm";
import type { Caller, Role } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { rawStatement, runStatements } from "../../platform/db/statements";
import { ApiError } from "../../platform/errors";
import { sha256Hex } from "../../platform/lib/crypto";

const roleRank: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

export const roleAllows = (have: Role, need: Role) => roleRank[have] >= roleRank[need];

export function readPresentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (apiKeyHeader?.trim()) return apiKeyHeader.trim();
  const match = authorization?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

interface KeyRow {
  id: string;
  org_id: string;
  role: Role;
  rate_limit_per_minute: number | null;
}

/**
 * Reads a route wants answered in the same D1 round trip as the key lookup (one round trip fewer per request).
 * `orgOfKey` is the presented key's organization as a subquery, evaluated in the same transaction as the lookup:
 * it matches nothing when the key is unknown or revoked, and the results are decoded only once the key is
 * accepted and within its rate limit (`authorize` checks the role before the handler sees them).
 */
export interface AuthPrefetch<T> {
  reads(db: Db, orgOfKey: SQL): D1PreparedStatement[];
  decode(results: D1Result[]): T;
}

/**
 * Finds the key by its hash, counts the request in the key's one-minute window and stamps `lastUsedAt`
 * (at most once a minute) in ONE D1 round trip: every authenticated request pays for it, so it stays small.
 * The window lives in D1 so every isolate sees the same count. Revoked and unknown keys count nothing.
 */
export async function authenticateAndCount(
  db: Db,
  presented: string | undefined,
  defaultLimit: number,
  now = Date.now(),
): Promise<Caller> {
  return (await authenticateWith(db, presented, defaultLimit, null, now)).caller;
}

/** `authenticateAndCount` with a route's own reads (`prefetch`) in the same batch. */
export async function authenticateWith<T>(
  db: Db,
  presented: string | undefined,
  defaultLimit: number,
  prefetch: AuthPrefetch<T> | null,
  now = Date.now(),
): Promise<{ caller: Caller; prefetched: T | undefined }> {
  if (!presented) throw new ApiError("UNAUTHORIZED", "Send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'");
  const hash = await sha256Hex(presented);
  const windowStart = Math.floor(now / 60_000) * 60_000;
  const orgOfKey = sql`(SELECT org_id FROM api_keys WHERE key_hash = ${hash} AND revoked_at IS NULL)`;
  const [found, counted, , ...own] = await runStatements(db, [
    rawStatement(db, "SELECT id, org_id, role, rate_limit_per_minute FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", hash),
    rawStatement(
      db,
      `INSERT INTO rate_limit_windows (key_id, window_start, count)
         SELECT id, ?, 1 FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL
       ON CONFLICT (key_id, window_start) DO UPDATE SET count = count + 1
       RETURNING count`,
      windowStart,
      hash,
    ),
    rawStatement(
      db,
      `UPDATE api_keys SET last_used_at = ?
       WHERE key_hash = ? AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < ?)`,
      new Date(now).toISOString(),
      hash,
      new Date(now - 60_000).toISOString(),
    ),
    ...(prefetch?.reads(db, orgOfKey) ?? []),
  ]);
  const row = (found?.results as KeyRow[] | undefined)?.[0];
  if (!row) throw new ApiError("UNAUTHORIZED", "Invalid or revoked API key");
  const count = (counted?.results as { count: number }[] | undefined)?.[0]?.count ?? 1;
  const limit = row.rate_limit_per_minute ?? defaultLimit;
  if (count > limit) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + 60_000 - now) / 1000));
    throw new ApiError("RATE_LIMITED", `Rate limit of ${limit} requests per minute exceeded`, {
      headers: { "Retry-After": String(retryAfter) },
      details: { limit, retryAfterSeconds: retryAfter },
    });
  }
  return { caller: { orgId: row.org_id, keyId: row.id, role: row.role }, prefetched: prefetch?.decode(own) };
}
