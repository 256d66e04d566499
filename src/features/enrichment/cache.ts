import { sha256Hex } from "../../platform/lib/crypto";
import type { Integration, IntegrationOutput } from "../../providers/types";
import { chunks } from "../../platform/lib/chunks";

export interface CachedEnrichment {
  globalEnrichmentId: string;
  integrationCode: string;
  fetchedAt: string;
  output: IntegrationOutput;
}

/** Global by default, which is what saves money; an integration can keep its entries per organization. */
export async function cacheKey(integration: Integration, lookupKey: string, orgId: string): Promise<string> {
  const scope = integration.cache?.scope === "organization" ? `org:${orgId}` : "global";
  return `enrich:v1:${integration.code}:${scope}:${await sha256Hex(lookupKey)}`;
}

export async function readCache(kv: KVNamespace, key: string): Promise<CachedEnrichment | null> {
  return kv.get<CachedEnrichment>(key, "json");
}

/** KV answers at most this many keys per bulk read. */
const BULK_GET_LIMIT = 100;

/** Several entries in one KV round trip per hundred keys (a bulk get); absent keys map to null. */
export async function readCacheMany(kv: KVNamespace, keys: string[]): Promise<Map<string, CachedEnrichment | null>> {
  const unique = [...new Set(keys)];
  const maps = await Promise.all(chunks(unique, BULK_GET_LIMIT).map((chunk) => kv.get<CachedEnrichment>(chunk, "json")));
  return new Map(maps.flatMap((m) => [...m]));
}

export async function writeCache(kv: KVNamespace, key: string, entry: CachedEnrichment, ttlSeconds: number): Promise<void> {
  // KV refuses TTLs under 60 s.
  await kv.put(key, JSON.stringify(entry), { expirationTtl: Math.max(60, ttlSeconds) });
}
