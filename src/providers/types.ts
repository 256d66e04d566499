import type { z } from "zod";
import type { Db } from "../platform/db/client";
import type { EntityType } from "../domain/attributes";
import type { Env, Settings } from "../platform/env";
import type { SafeFetch } from "../platform/lib/outbound-fetch";

export type ErrorCategory =
  | "timeout"
  | "configuration"
  | "validation"
  | "provider_failure"
  | "rate_limit"
  | "auth_error"
  | "no_data"
  | "system";

export interface IntegrationInput {
  entityId: string;
  entityType: EntityType;
  /** The entity's normalized attributes (see src/domain/attributes.ts). */
  attributes: Record<string, unknown>;
  /** Request `params` (e.g. `fields`, provider-specific options). */
  params: Record<string, unknown>;
}

export interface IntegrationContext {
  env: Env;
  settings: Settings;
  db: Db;
  orgId: string;
  /** The organization's non-secret configuration for this integration. */
  config: Record<string, unknown>;
  /** Decrypted credentials (provider API keys); never log them. */
  credentials: Record<string, string>;
  /** Aborted when the integration's time budget runs out. */
  signal: AbortSignal;
  /** Outbound fetch through the URL guard, bound to `signal`. */
  fetch: SafeFetch;
}

export interface IntegrationOutput {
  /** Everything the integration found, in its own documented shape. */
  enrichmentData: Record<string, unknown>;
  /** Dossier fields filled (see the field dictionary): written to the entity's `enriched` map. */
  fields: Record<string, unknown>;
  dataQuality: { completeness: number; confidence: number };
  summary: string;
  /** What the provider charged us for this call; defaults to the integration's `costCents`. */
  costCents?: number;
  /**
   * Keep this answer in the enrichment cache at most this long (it never extends the integration's `cache.ttlSeconds`);
   * 0 keeps it out of the cache, for an answer reached while something it depends on failed (e.g. DNS).
   */
  cacheTtlSeconds?: number;
}

export interface Integration {
  code: string;
  name: string;
  description: string;
  entityTypes: EntityType[];
  /** Alternatives: the entity must have every attribute of at least one set. */
  inputs: string[][];
  /** Dossier field names it can fill. */
  outputs: string[];
  /** Charged per successful result. */
  credits: number;
  /** What one call costs us at the provider. */
  costCents: number;
  timeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number };
  maxConcurrency: number;
  /** `null` disables caching (e.g. results that depend on per-org state). */
  cache: { ttlSeconds: number; scope: "global" | "organization" } | null;
  /** Credential names the organization must configure before it can run. */
  credentialNames: string[];
  /** True for built-ins that are usable without being explicitly enabled. */
  enabledByDefault: boolean;
  /**
   * Validates `config` on `PUT /v1/integrations/:code`. Keys ending in `Url` (e.g. `baseUrl`) are addresses it
   * fetches: the outbound guard checks them when saved and on every fetch. What it parses to is part of the cache key.
   */
  configSchema?: z.ZodType<Record<string, unknown>>;
  /**
   * The normalized inputs this call depends on (lower-cased email, registrable domain, E.164 phone …) and the request
   * params that change its answer; `null` means "do not cache this call". The cache key adds the code, the scope, the
   * configuration and the configured credential names itself (`cacheKey` in src/features/enrichment/cache.ts states the rule).
   */
  lookupKey(input: IntegrationInput): string | null;
  execute(input: IntegrationInput, ctx: IntegrationContext): Promise<IntegrationOutput>;
}
