import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import type { Env, Settings } from "../../platform/env";
import { type DomainEvent, newEvent } from "../../platform/events";
import { Semaphore } from "../../platform/lib/semaphore";
import type { Integration, IntegrationInput } from "../../providers/types";
import { runStatements } from "../../platform/db/statements";
import { releaseCredits, releaseStatement, reserveCredits } from "../billing";
import type { EntityRow } from "../entities";
import { persistStatements } from "./persist";
import { type LoadedRun, type PlannedRun, maxChargeOf, planRun } from "./plan";
import { type EnrichmentResult, publicResult } from "./result";
import { prefetchCache, runIntegration } from "./run-integration";
import type { Strategy } from "../../domain/vocabulary";

export { type PlannedRun, maxChargeOf, planRun } from "./plan";

export interface EnrichRequest {
  integrationCodes?: string[];
  enrichmentGroupRefs?: string[];
  params?: Record<string, unknown>;
  forceRefresh?: boolean;
  strategy?: Strategy;
}

export interface EnrichDeps {
  env: Env;
  settings: Settings;
  db: Db;
  caller: Caller;
  /** Called as each result is known (SSE streaming). */
  onResult?: (result: EnrichmentResult) => void | Promise<void>;
}

export function inputOf(entity: EntityRow, params: Record<string, unknown> = {}): IntegrationInput {
  return { entityId: entity.id, entityType: entity.type, attributes: entity.attributes, params };
}

const wantedFields = (params: Record<string, unknown> | undefined): string[] | null => {
  const fields = params?.fields;
  return Array.isArray(fields) && fields.length > 0 ? fields.map(String) : null;
};

function skipped(integration: Integration): EnrichmentResult {
  return {
    success: false,
    status: "skipped",
    enrichmentId: crypto.randomUUID(),
    integrationCode: integration.code,
    integrationName: integration.name,
    cached: false,
    executionTime: 0,
    costCents: 0,
    credits: 0,
    attempts: 0,
    createdAt: new Date().toISOString(),
  };
}

export interface ExecuteOptions {
  deps: Omit<EnrichDeps, "caller"> & { orgId: string };
  plan: PlannedRun;
  entity: EntityRow;
  request: EnrichRequest;
  deadline?: number;
  /** Deterministic record ids for batch tasks, so redeliveries agree on the record. */
  enrichmentIdOf?: (integration: Integration) => string;
  /** The invocation's connection cap, when several plans run in one invocation (a queue batch). */
  connections?: Semaphore;
  /** Takes fresh results' cache writes instead of awaiting each before its result (see RunOptions). */
  deferCacheWrite?: (write: Promise<void>) => void;
}

/** Runs the plan for one entity: all in parallel, or a waterfall that stops once the wanted fields are filled. */
export async function executePlan(opts: ExecuteOptions): Promise<EnrichmentResult[]> {
  const { deps, plan, entity, request } = opts;
  const connections = opts.connections ?? new Semaphore(deps.settings.MAX_CONNECTIONS_PER_INVOCATION);
  const input = inputOf(entity, request.params);
  // Run side by side, the integrations' cache entries are read in one round trip; a waterfall reads only as far as it goes.
  const prefetchedCache =
    request.strategy !== "waterfall" && !request.forceRefresh
      ? await prefetchCache(
          deps.env.ENRICH_CACHE,
          plan.integrations.map((integration) => ({ integration, settingsRow: plan.settingsRows.get(integration.code), input, orgId: deps.orgId })),
        )
      : undefined;
  const run = async (integration: Integration) => {
    const result = await runIntegration(integration, input, {
      env: deps.env,
      settings: deps.settings,
      db: deps.db,
      orgId: deps.orgId,
      settingsRow: plan.settingsRows.get(integration.code),
      forceRefresh: request.forceRefresh ?? false,
      deadline: opts.deadline,
      connections,
      enrichmentId: opts.enrichmentIdOf?.(integration),
      deferCacheWrite: opts.deferCacheWrite,
      prefetchedCache,
    });
    await deps.onResult?.(result);
    return result;
  };

  if (request.strategy !== "waterfall") return Promise.all(plan.integrations.map(run));

  const wanted = wantedFields(request.params);
  const filled = new Set<string>();
  const results: EnrichmentResult[] = [];
  for (const [index, integration] of plan.integrations.entries()) {
    const result = await run(integration);
    results.push(result);
    for (const field of result.success ? Object.keys(result.fields ?? {}) : []) filled.add(field);
    const done = wanted ? wanted.every((f) => filled.has(f)) : filled.size > 0;
    if (done) {
      const rest = plan.integrations.slice(index + 1).map(skipped);
      for (const r of rest) await deps.onResult?.(r);
      results.push(...rest);
      break;
    }
  }
  return results;
}

declare module "../../platform/events" {
  interface DomainEventMap {
    "enrichment.completed": Record<string, unknown>;
    "enrichment.failed": Record<string, unknown>;
  }
}

/** The enrichment events webhooks may subscribe to (published by synchronous enrichments and by jobs). */
export const ENRICHMENT_EVENTS = ["enrichment.completed", "enrichment.failed"] as const;

export function eventsFor(orgId: string, entityId: string, results: EnrichmentResult[], extra: Record<string, unknown> = {}, webhookId?: string | null): DomainEvent[] {
  const ran = results.filter((r) => r.status !== "skipped");
  if (ran.length === 0) return [];
  const succeeded = ran.some((r) => r.success);
  return [
    newEvent(
      succeeded ? "enrichment.completed" : "enrichment.failed",
      orgId,
      { entityId, ...extra, results: ran.map(publicResult) },
      webhookId,
    ),
  ];
}

export function summarize(entityId: string, results: EnrichmentResult[]) {
  return {
    success: true,
    entityId,
    results: results.map(publicResult),
    totalCostCents: results.reduce((s, r) => s + r.costCents, 0),
    totalCredits: results.reduce((s, r) => s + r.credits, 0),
    totalExecutionTime: results.reduce((s, r) => Math.max(s, r.executionTime), 0),
  };
}

/**
 * Synchronous enrichment of one entity: plan, prepaid pre-flight (402 before anything runs), run, then record
 * results, charges and the reservation's release in one batch. Returns the answer and the events to publish.
 * `loaded` (from `loadRun`) saves re-reading the plan and the billing mode. Fresh results' cache writes run
 * alongside that batch and are done before this returns, so the next request finds them.
 */
export async function enrichEntity(deps: EnrichDeps, entity: EntityRow, request: EnrichRequest, loaded?: Omit<LoadedRun, "entity">) {
  const { db, caller } = deps;
  const plan = loaded?.plan ?? (await planRun(db, caller.orgId, request));
  const { reserved } = await reserveCredits(db, caller.orgId, maxChargeOf(plan), loaded?.billingMode);
  const cacheWrites: Promise<void>[] = [];
  let results: EnrichmentResult[];
  try {
    results = await executePlan({
      deps: { ...deps, orgId: caller.orgId },
      plan,
      entity,
      request,
      deferCacheWrite: (write) => cacheWrites.push(write),
    });
    const persisted = runStatements(db, [
      ...(reserved > 0 ? [releaseStatement(db, caller.orgId, reserved)] : []),
      ...persistStatements(db, {
        orgId: caller.orgId,
        entityId: entity.id,
        entityEnriched: entity.enriched,
        results,
        actorKeyId: caller.keyId,
      }),
    ]);
    await Promise.all([persisted, ...cacheWrites]);
  } catch (error) {
    await Promise.all(cacheWrites);
    await releaseCredits(db, caller.orgId, reserved);
    throw error;
  }
  return { answer: summarize(entity.id, results), events: eventsFor(caller.orgId, entity.id, results) };
}
