import { sha256Hex } from "../../platform/lib/crypto";
import { tooDeepAt } from "../../platform/lib/json-limits";
import type { Integration, IntegrationOutput } from "../../providers/types";
import { chunks } from "../../platform/lib/chunks";

export interface CachedEnrichment {
  globalEnrichmentId: string;
  integrationCode: string;
  fetchedAt: string;
  output: IntegrationOutput;
}

export interface CacheKeyInputs {
  /** `Integration.lookupKey`: the normalized inputs of this call. */
  lookup: string;
  /** The organization's stored configuration for the integration (`publicConfig`). */
  config: Record<string, unknown>;
  /** The names of the credentials the organization configured for it, never their values. */
  credentialNames: readonly string[];
  orgId: string;
}

/** JSON with object keys sorted, so equal configurations give equal keys. */
const canonicalJson = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

/**
 * The cache key, and the one rule for sharing an entry: a cached answer serves another run only when that run's
 * request would have gone to the same place with the same meaning. The key therefore covers
 * - the integration's code: which provider API and request shape;
 * - its scope: global (what saves money), or the organization for integrations whose answers depend on the
 *   organization's own data or definition (custom `http_json`, `email_discover`);
 * - the normalized inputs (`lookupKey`: lower-cased email, registrable domain, E.164 phone …, plus the request params
 *   that change the answer);
 * - the configuration as the integration reads it (its `configSchema` output: defaults applied, unknown keys dropped):
 *   the endpoint (`baseUrl`) and every option that shapes the answer (dataset, threshold, minLikelihood,
 *   includeParents …). An integration without a `configSchema` reads no configuration, so none enters its key;
 * - which credentials are configured, never their values: an anonymous call may be answered differently from an
 *   authenticated one, but two accounts (or a rotated key) at the same endpoint get the same data, so they share.
 * A configuration that does not parse gives no key: the run fails before any provider is called and nothing is cached.
 * `v2`: v1 keys left the configuration out, so entries written under that rule are never read under this one.
 */
export async function cacheKey(integration: Integration, inputs: CacheKeyInputs): Promise<string | null> {
  const parsed = integration.configSchema ? integration.configSchema.safeParse(inputs.config) : { success: true as const, data: {} };
  if (!parsed.success || tooDeepAt(parsed.data) !== null) return null;
  const scope = integration.cache?.scope === "organization" ? `org:${inputs.orgId}` : "global";
  const material = canonicalJson([inputs.lookup, parsed.data, [...inputs.credentialNames].sort()]);
  return `enrich:v2:${integration.code}:${scope}:${await sha256Hex(material)}`;
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
