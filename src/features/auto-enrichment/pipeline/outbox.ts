import type { AutoJobResult, AutoJobStatus, OutboxEvent, SkipReason } from "../../../db/schema/auto-enrichment";
import type { DomainEvent } from "../../../platform/events";
import { type EnrichmentResult, eventsFor } from "../../enrichment";
import type { AutoJobRow } from "./claim";
import type { ConflictDraft } from "./decide";

const toOutbox = (e: DomainEvent): OutboxEvent => ({ id: e.id, type: e.type, orgId: e.orgId, occurredAt: e.occurredAt, data: e.data });

/** Skips that are failures to the customer (work that should have run did not). */
const FAILED_SKIPS: readonly (SkipReason | null)[] = ["BUDGET_EXHAUSTED", "INSUFFICIENT_CREDITS"];

export interface OutboxInput {
  job: AutoJobRow;
  status: AutoJobStatus;
  skipReason: SkipReason | null;
  error?: { code: string; message: string } | null;
  results: AutoJobResult[];
  /** The run's enrichment results (for `enrichment.completed|failed`), none when nothing ran. */
  ran?: EnrichmentResult[];
  conflicts?: ConflictDraft[];
  now: string;
}

/**
 * The events a job's settlement publishes, with ids derived from the job and its conflicts, so publishing again (a
 * redelivered message, the cron) repeats them exactly: `auto_enrichment.completed|failed`, the run's
 * `enrichment.completed|failed` (with `trigger` and `autoJobId`), one `auto_enrichment.conflict_created` per new conflict.
 */
export function outboxFor(input: OutboxInput): OutboxEvent[] {
  const { job, status } = input;
  const events: OutboxEvent[] = [];
  const summary = {
    jobId: job.id,
    entityId: job.entityId,
    entityType: job.entityType,
    trigger: job.trigger,
    triggerFields: job.triggerFields,
    status,
    skipReason: input.skipReason,
    error: input.error ?? null,
    credits: input.results.reduce((sum, r) => sum + r.credits, 0),
    fieldsFilled: input.results.flatMap((r) => r.fieldsFilled),
    fieldsUpdated: input.results.flatMap((r) => r.fieldsUpdated),
    fieldsProposed: input.results.flatMap((r) => r.fieldsProposed),
    conflictIds: input.results.flatMap((r) => r.conflictIds),
    results: input.results,
  };
  if (status === "succeeded" || status === "partial") {
    events.push({ id: `evt_auto_${job.id}`, type: "auto_enrichment.completed", orgId: job.orgId, occurredAt: input.now, data: summary });
  } else if (status === "failed" || (status === "skipped" && FAILED_SKIPS.includes(input.skipReason))) {
    events.push({ id: `evt_auto_${job.id}`, type: "auto_enrichment.failed", orgId: job.orgId, occurredAt: input.now, data: summary });
  }
  for (const e of eventsFor(job.orgId, job.entityId, input.ran ?? [], { trigger: job.trigger, autoJobId: job.id })) {
    events.push(toOutbox({ ...e, id: `evt_auto_${job.id}_enrichment`, occurredAt: input.now }));
  }
  for (const c of input.conflicts ?? []) {
    if (c.repeat || c.autoAccepted) continue;
    events.push({
      id: `evt_conflict_${c.id}_created`,
      type: "auto_enrichment.conflict_created",
      orgId: job.orgId,
      occurredAt: input.now,
      data: {
        conflictId: c.id,
        entityId: job.entityId,
        entityType: job.entityType,
        field: c.field,
        kind: c.kind,
        currentValue: c.currentValue,
        proposedValue: c.proposedValue,
        proposedSource: c.proposedSource,
        proposedConfidence: c.proposedConfidence,
        enrichmentId: c.enrichmentId,
        jobId: job.id,
      },
    });
  }
  return events;
}
