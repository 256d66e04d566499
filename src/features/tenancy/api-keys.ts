import { and, desc, eq } from "drizzle-orm";
import type { Caller, Role } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { apiKeys } from "../../db/schema/tenancy";
import { notFound } from "../../platform/errors";
import { randomBase62, sha256Hex } from "../../platform/lib/crypto";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { auditStatement } from "./audit";

export const API_KEY_PREFIX = "dsr_live_";

export interface NewKeyInput {
  orgId: string;
  name: string;
  role: Role;
  rateLimitPerMinute?: number | null;
  actorKeyId: string | null;
}

export async function mintApiKey(db: Db, input: NewKeyInput) {
  const key = `${API_KEY_PREFIX}${randomBase62(40)}`;
  const row = {
    id: crypto.randomUUID(),
    orgId: input.orgId,
    name: input.name,
    role: input.role,
    prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    keyHash: await sha256Hex(key),
    rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    createdByKeyId: input.actorKeyId,
    createdAt: nowIso(),
    lastUsedAt: null,
    revokedAt: null,
  };
  const statements = [
    db.insert(apiKeys).values(row),
    auditStatement(db, {
      orgId: input.orgId,
      actorKeyId: input.actorKeyId,
      action: "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      data: { name: row.name, role: row.role, prefix: row.prefix },
    }),
  ] as const;
  return { key, row, statements };
}

export function presentKey(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    rateLimitPerMinute: row.rateLimitPerMinute,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

export async function createApiKey(db: Db, input: NewKeyInput) {
  const { key, row, statements } = await mintApiKey(db, input);
  await db.batch(statements);
  return { ...presentKey(row), key };
}

export async function listApiKeys(db: Db, orgId: string, limit: number, cursor?: Cursor) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, orgId),
        afterCursor(apiKeys.createdAt, apiKeys.id, cursor),
      ),
    )
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentKey), nextCursor: page.nextCursor };
}

export async function revokeApiKey(db: Db, caller: Caller, id: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, caller.orgId)))
    .limit(1);
  if (!row) throw notFound("API key");
  const revokedAt = row.revokedAt ?? nowIso();
  if (!row.revokedAt) {
    await db.batch([
      db.update(apiKeys).set({ revokedAt }).where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, caller.orgId))),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "api_key.revoked",
        targetType: "api_key",
        targetId: id,
        data: { prefix: row.prefix },
      }),
    ]);
  }
  return presentKey({ ...row, revokedAt });
}
