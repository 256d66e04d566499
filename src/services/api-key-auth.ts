import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Caller, Role } from "../context";
import type { Db } from "../db/client";
import { apiKeys, rateLimitWindows } from "../db/schema/tenancy";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/crypto";

const roleRank: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

export const roleAllows = (have: Role, need: Role) => roleRank[have] >= roleRank[need];

export function readPresentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (apiKeyHeader?.trim()) return apiKeyHeader.trim();
  const match = authorization?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

export async function authenticateKey(db: Db, presented: string | undefined): Promise<Caller & { rateLimitPerMinute: number | null }> {
  if (!presented) throw new ApiError("UNAUTHORIZED", "Send an API key as 'Authorization: Bearer <key>' or 'X-API-Key'");
  const hash = await sha256Hex(presented);
  const [row] = await db
    .select({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      role: apiKeys.role,
      revokedAt: apiKeys.revokedAt,
      rateLimitPerMinute: apiKeys.rateLimitPerMinute,
    })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash))
    .limit(1);
  if (!row || row.revokedAt) throw new ApiError("UNAUTHORIZED", "Invalid or revoked API key");
  return { orgId: row.orgId, keyId: row.id, role: row.role, rateLimitPerMinute: row.rateLimitPerMinute };
}

/**
 * Fixed one-minute window per key, counted in D1 so every isolate sees the same count.
 * The same batch stamps `lastUsedAt` at most once a minute.
 */
export async function countRequest(db: Db, keyId: string, limit: number, now = Date.now()): Promise<void> {
  const windowStart = Math.floor(now / 60_000) * 60_000;
  const nowIso = new Date(now).toISOString();
  const staleBefore = new Date(now - 60_000).toISOString();
  const [counted] = await db.batch([
    db
      .insert(rateLimitWindows)
      .values({ keyId, windowStart, count: 1 })
      .onConflictDoUpdate({
        target: [rateLimitWindows.keyId, rateLimitWindows.windowStart],
        set: { count: sql`${rateLimitWindows.count} + 1` },
      })
      .returning({ count: rateLimitWindows.count }),
    db
      .update(apiKeys)
      .set({ lastUsedAt: nowIso })
      .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore)))),
  ]);
  const count = counted[0]?.count ?? 1;
  if (count > limit) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + 60_000 - now) / 1000));
    throw new ApiError("RATE_LIMITED", `Rate limit of ${limit} requests per minute exceeded`, {
      headers: { "Retry-After": String(retryAfter) },
      details: { limit, retryAfterSeconds: retryAfter },
    });
  }
}
