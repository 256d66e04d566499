import { eventsFor, summarize } from "../../enrichment";
import type { EnrichmentResult } from "../../enrichment";
import type { DomainEvent } from "../../../platform/events";
import { timeoutError } from "../../../providers/errors";
import { builtinIntegration } from "../../catalog";
import type { EntityOutcome, StoredJobSpec } from "../engine/types";


/** The first failure of an entity that got nothing, so a result row says why at a glance. */
export function entityError(outcome: Pick<EntityOutcome, "status" | "results">) {
  if (outcome.status !== "failed") return null;
  const error = outcome.results.find((r) => r.error)?.error;
  return error ? { code: error.code, message: error.message } : null;
}

/** One entity's answer, shaped like a synchronous enrichment's, plus where it sits in the job. */
export function presentOutcome(outcome: EntityOutcome) {
  return {
    entityIndex: outcome.entityIndex,
    externalId: outcome.externalId,
    status: outcome.status,
    error: entityError(outcome),
    ...summarize(outcome.entityId, outcome.results as EnrichmentResult[]),
  };
}

export function entityCompletedData(outcome: EntityOutcome) {
  return { entity_index: outcome.entityIndex, ...presentOutcome(outcome) };
}

/**
 * `enrichment.completed`/`enrichment.failed` for one entity of the job. The id is derived from the job and entity,
 * so publishing again (a retried alarm or report) never delivers a webhook twice.
 */
export function entityEvents(spec: StoredJobSpec, outcome: EntityOutcome): DomainEvent[] {
  return eventsFor(
    spec.orgId,
    outcome.entityId,
    outcome.results as EnrichmentResult[],
    { jobId: spec.jobId, entityIndex: outcome.entityIndex, externalId: outcome.externalId },
    spec.webhookId,
  ).map((event) => ({ ...event, id: `evt_${spec.jobId}_entity_${outcome.entityIndex}` }));
}

/** What a task that never reported back, however often it was sent, is recorded as. */
export function lostTaskResults(codes: string[], dispatches: number, perEntityTimeoutMs: number): EnrichmentResult[] {
  const error = timeoutError(perEntityTimeoutMs);
  const now = new Date().toISOString();
  return codes.map((code) => ({
    success: false,
    status: "failed",
    enrichmentId: crypto.randomUUID(),
    integrationCode: code,
    integrationName: builtinIntegration(code)?.name ?? code,
    cached: false,
    executionTime: 0,
    costCents: 0,
    credits: 0,
    attempts: 0,
    error: { ...error.toJSON(), message: `No result after ${dispatches} dispatches of this task` },
    createdAt: now,
  }));
}

