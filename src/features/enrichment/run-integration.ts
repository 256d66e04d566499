import type { Db } from "../../platform/db/client";
import type { Env, Settings } from "../../platform/env";
import { JSON_LIMITS, tooDeepAt } from "../../platform/lib/json-limits";
import { OutboundUrlError, type SafeFetch, createSafeFetch } from "../../platform/lib/outbound-fetch";
import type { Semaphore } from "../../platform/lib/semaphore";
import { EnrichmentError, systemError, timeoutError } from "../../providers/errors";
import type { Integration, IntegrationInput, IntegrationOutput } from "../../providers/types";
import {
  type IntegrationSettingsRow,
  credentialNamesOf,
  hasCredentials,
  isEnabled,
  publicConfig,
  readCredentials,
} from "../catalog";
import { type CachedEnrichment, cacheKey, readCache, readCacheMany, writeCache } from "./cache";
import type { EnrichmentResult, ResultError } from "./result";

export interface RunOptions {
  env: Env;
  settings: Settings;
  db: Db;
  orgId: string;
  settingsRow: IntegrationSettingsRow | undefined;
  forceRefresh: boolean;
  /** Absolute time (ms) after which the run is a timeout whatever the integration's own budget. */
  deadline?: number;
  /** Shared by every fetch of this invocation: production allows only a few open connections at once. */
  connections: Semaphore;
  /** Pre-assigned record id (jobs derive it from the task so redeliveries agree). */
  enrichmentId?: string;
  /**
   * When given, a fresh result's cache write is handed here (it never rejects: a failed write is logged) instead
   * of being awaited before the result returns; the caller must await it before its response or under waitUntil.
   */
  deferCacheWrite?: (write: Promise<void>) => void;
  /** Cache entries already read for this run (`prefetchCache`); a key not in it is read as usual. */
  prefetchedCache?: Map<string, CachedEnrichment | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the entity lacks for each alternative of the integration's declared `inputs`, in their order (an empty list
 * for an alternative it has in full); null when the integration does not enrich this type of entity.
 */
export function lackedInputs(integration: Integration, input: Pick<IntegrationInput, "entityType" | "attributes">): string[][] | null {
  if (!integration.entityTypes.includes(input.entityType)) return null;
  // Inputs may name nested attributes such as `custom.website`.
  const present = (name: string) => {
    const v = name
      .split(".")
      .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), input.attributes);
    return v !== undefined && v !== null && v !== "";
  };
  return integration.inputs.map((set) => set.filter((name) => !present(name)));
}

/** What the integration needs, as its declared alternatives: "email, or fullName + companyDomain". */
export const describeInputs = (integration: Integration) => integration.inputs.map((set) => set.join(" + ")).join(", or ");

/**
 * Why the integration cannot run on this entity, or null when it can. Messages never name the integration: every
 * result carries its `integrationCode`, and whoever shows a message apart from its result names the source once.
 */
export function missingInputs(integration: Integration, input: IntegrationInput): string | null {
  const lacked = lackedInputs(integration, input);
  if (lacked === null) return `Does not enrich ${input.entityType} entities`;
  if (lacked.length === 0 || lacked.some((set) => set.length === 0)) return null;
  return `Needs ${describeInputs(integration)}`;
}

/** Exponential backoff with full jitter. */
export const backoffMs = (base: number, attempt: number) => Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random()));

function asEnrichmentError(error: unknown): EnrichmentError {
  if (error instanceof EnrichmentError) return error;
  if (error instanceof OutboundUrlError) return systemError(`Outbound URL refused: ${error.message}`);
  const message = error instanceof Error ? error.message : String(error);
  const network = error instanceof TypeError || /network|connect|socket|reset|refused|fetch failed/i.test(message);
  return new EnrichmentError("SYSTEM", network ? `Could not reach the provider: ${message}` : message, "system", {
    retryable: network,
  });
}

const toResultError = (e: EnrichmentError): ResultError => e.toJSON();

function limitedFetch(inner: SafeFetch, connections: Semaphore): SafeFetch {
  return (input, init) => connections.run(() => inner(input, init));
}

type KeyOptions = Pick<RunOptions, "settingsRow" | "orgId">;

async function lookupCacheKey(integration: Integration, input: IntegrationInput, opts: KeyOptions): Promise<string | null> {
  const lookup = integration.cache ? integration.lookupKey(input) : null;
  if (lookup === null) return null;
  const { settingsRow, orgId } = opts;
  return cacheKey(integration, { lookup, config: publicConfig(settingsRow), credentialNames: credentialNamesOf(settingsRow) ?? [], orgId });
}

/** The cache entry `runIntegration` would read for this run, or null when it would not get that far. */
async function cacheKeyFor(integration: Integration, input: IntegrationInput, opts: KeyOptions): Promise<string | null> {
  if (!isEnabled(integration, opts.settingsRow)) return null;
  if (!hasCredentials(integration, opts.settingsRow, credentialNamesOf(opts.settingsRow))) return null;
  if (missingInputs(integration, input)) return null;
  // An integration may refuse the input while building its key (a name with no Latin letters): its run says so.
  return lookupCacheKey(integration, input, opts).catch(() => null);
}

/** One run whose cache entry may be read ahead (`prefetchCache`). */
export interface CacheProbe {
  integration: Integration;
  settingsRow: IntegrationSettingsRow | undefined;
  input: IntegrationInput;
  orgId: string;
}

/**
 * Reads the cache entries of several runs (one entity's integrations, or a whole queue batch) in one KV bulk read
 * per hundred keys, for `prefetchedCache`: one round trip instead of one per run. Undefined when there is nothing
 * to gain (fewer than two entries) or the read failed, in which case each run reads its own entry.
 */
export async function prefetchCache(kv: KVNamespace, probes: CacheProbe[]): Promise<Map<string, CachedEnrichment | null> | undefined> {
  const keys = await Promise.all(probes.map((p) => cacheKeyFor(p.integration, p.input, { settingsRow: p.settingsRow, orgId: p.orgId })));
  const wanted = keys.filter((k): k is string => k !== null);
  if (new Set(wanted).size < 2) return undefined;
  try {
    return await readCacheMany(kv, wanted);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "enrichment cache bulk read failed", error: String(error) }));
    return undefined;
  }
}

/** One attempt under a hard time limit, whether or not the integration honours the abort signal. */
async function attempt(
  integration: Integration,
  input: IntegrationInput,
  opts: RunOptions,
  credentials: Record<string, string>,
  timeLeft: number,
): Promise<IntegrationOutput> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(timeoutError(integration.timeoutMs));
    }, timeLeft);
  });
  const fetch = limitedFetch(createSafeFetch({ allowLoopback: opts.settings.ALLOW_LOOPBACK_FETCH }, { signal: controller.signal }), opts.connections);
  try {
    const output = await Promise.race([
      integration.execute(input, {
        env: opts.env,
        settings: opts.settings,
        db: opts.db,
        orgId: opts.orgId,
        config: publicConfig(opts.settingsRow),
        credentials,
        signal: controller.signal,
        fetch,
      }),
      expired,
    ]);
    // An answer is stored, cached and presented: it must be within the JSON limit like anything a request sends.
    const deepAt = tooDeepAt(output);
    if (deepAt) throw systemError(`The provider's answer is nested more than ${JSON_LIMITS.depth} levels deep (at ${deepAt.join(".").slice(0, 200)})`);
    return output;
  } catch (error) {
    if (controller.signal.aborted) throw timeoutError(Math.round(timeLeft));
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one integration for one entity: enablement and input checks, the global cache, then the provider with
 * retries (backoff + jitter, honouring Retry-After) inside the integration's time budget. Never throws.
 */
export async function runIntegration(integration: Integration, input: IntegrationInput, opts: RunOptions): Promise<EnrichmentResult> {
  const started = Date.now();
  const base = {
    enrichmentId: opts.enrichmentId ?? crypto.randomUUID(),
    integrationCode: integration.code,
    integrationName: integration.name,
    createdAt: new Date(started).toISOString(),
  };
  const fail = (error: EnrichmentError, attempts: number, costCents = 0): EnrichmentResult => ({
    ...base,
    success: false,
    status: "failed",
    cached: false,
    executionTime: Date.now() - started,
    costCents,
    credits: 0,
    attempts,
    error: toResultError(error),
  });

  if (!isEnabled(integration, opts.settingsRow)) {
    return fail(new EnrichmentError("INTEGRATION_NOT_ENABLED", "Not enabled for this organization", "configuration"), 0);
  }
  if (!hasCredentials(integration, opts.settingsRow, credentialNamesOf(opts.settingsRow))) {
    return fail(
      new EnrichmentError("INTEGRATION_NOT_ENABLED", `Needs credentials: ${integration.credentialNames.join(", ")}`, "configuration"),
      0,
    );
  }
  const missing = missingInputs(integration, input);
  if (missing) return fail(new EnrichmentError("MISSING_INPUT", missing, "validation"), 0);

  let key: string | null;
  try {
    key = await lookupCacheKey(integration, input, opts);
  } catch (error) {
    // `lookupKey` may refuse the input as `execute` would (a name with no Latin letters): that result, not a throw.
    return fail(asEnrichmentError(error), 0);
  }
  if (key && !opts.forceRefresh) {
    const hit = opts.prefetchedCache?.has(key) ? (opts.prefetchedCache.get(key) ?? null) : await readCache(opts.env.ENRICH_CACHE, key);
    if (hit) {
      return {
        ...base,
        success: true,
        status: "succeeded",
        cached: true,
        globalEnrichmentId: hit.globalEnrichmentId,
        executionTime: Date.now() - started,
        costCents: 0,
        credits: opts.settings.CHARGE_CACHE_HITS ? integration.credits : 0,
        attempts: 0,
        result: shapeResult(hit.output),
        fields: hit.output.fields,
      };
    }
  }

  const budgetEnd = Math.min(started + integration.timeoutMs, opts.deadline ?? Number.POSITIVE_INFINITY);
  const credentials = await readCredentials(opts.settingsRow, opts.settings);
  let lastError: EnrichmentError = timeoutError(integration.timeoutMs);
  let attempts = 0;
  while (attempts < Math.max(1, integration.retry.maxAttempts)) {
    const timeLeft = budgetEnd - Date.now();
    if (timeLeft <= 0) {
      lastError = timeoutError(integration.timeoutMs);
      break;
    }
    attempts++;
    try {
      const output = await attempt(integration, input, opts, credentials, timeLeft);
      const costCents = output.costCents ?? integration.costCents;
      let globalEnrichmentId: string | undefined;
      const ttlSeconds = Math.min(integration.cache?.ttlSeconds ?? 0, output.cacheTtlSeconds ?? Number.POSITIVE_INFINITY);
      if (key && ttlSeconds > 0) {
        globalEnrichmentId = `ge_${crypto.randomUUID()}`;
        const write = writeCache(
          opts.env.ENRICH_CACHE,
          key,
          { globalEnrichmentId, integrationCode: integration.code, fetchedAt: new Date().toISOString(), output },
          ttlSeconds,
        );
        if (opts.deferCacheWrite) opts.deferCacheWrite(write.catch((error) => logCacheWriteFailure(integration.code, error)));
        else await write;
      }
      return {
        ...base,
        success: true,
        status: "succeeded",
        cached: false,
        globalEnrichmentId,
        executionTime: Date.now() - started,
        costCents,
        credits: integration.credits,
        attempts,
        result: shapeResult(output),
        fields: output.fields,
      };
    } catch (error) {
      lastError = asEnrichmentError(error);
      if (lastError.code === "ENRICHMENT_TIMEOUT" || !lastError.retryable) break;
      const wait = lastError.retryAfterMs ?? backoffMs(integration.retry.baseDelayMs, attempts);
      if (Date.now() + wait >= budgetEnd) break;
      await sleep(wait);
    }
  }
  return fail(lastError, attempts);
}

function logCacheWriteFailure(integrationCode: string, error: unknown): void {
  console.error(JSON.stringify({ level: "error", message: "enrichment cache write failed", integrationCode, error: String(error) }));
}

function shapeResult(output: IntegrationOutput) {
  return {
    fieldsEnriched: Object.keys(output.fields),
    dataQuality: output.dataQuality,
    summary: output.summary,
    enrichmentData: output.enrichmentData,
  };
}

/** The most a run could charge: what decides a prepaid pre-flight. */
export const maxCredits = (integrations: Integration[]) => integrations.reduce((sum, i) => sum + i.credits, 0);
