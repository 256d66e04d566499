import type { OutboxEvent } from "../../db/schema/auto-enrichment";
import type { Db } from "../../platform/db/client";
import { IN_LIST_LIMIT, rawStatement, runStatements } from "../../platform/db/statements";
import { chunks } from "../../platform/lib/chunks";
import type { Env } from "../../platform/env";
import { type DomainEvent, type DomainEventType, publish } from "../../platform/events";
import { nowIso } from "../../platform/lib/time";

declare module "../../platform/events" {
  interface DomainEventMap {
    "auto_enrichment.completed": Record<string, unknown>;
    "auto_enrichment.failed": Record<string, unknown>;
    "auto_enrichment.conflict_created": Record<string, unknown>;
    "auto_enrichment.conflict_resolved": Record<string, unknown>;
    "auto_enrichment.paused": Record<string, unknown>;
    "auto_enrichment.resumed": Record<string, unknown>;
    "auto_enrichment.budget_exhausted": Record<string, unknown>;
  }
}

export const AUTO_ENRICHMENT_EVENTS = [
  "auto_enrichment.completed",
  "auto_enrichment.failed",
  "auto_enrichment.conflict_created",
  "auto_enrichment.conflict_resolved",
  "auto_enrichment.paused",
  "auto_enrichment.resumed",
  "auto_enrichment.budget_exhausted",
] as const satisfies readonly DomainEventType[];

/** An event whose id is derived from what it is about, so publishing it again (redelivery, the cron) repeats the same event. */
export const derivedEvent = (id: string, type: DomainEventType, orgId: string, data: Record<string, unknown>, occurredAt = nowIso()): DomainEvent => ({
  id,
  type,
  orgId,
  occurredAt,
  data,
});

/** What a job's outbox may hold: its own events and the enrichment events of its run. */
const OUTBOX_TYPES = new Set<string>([...AUTO_ENRICHMENT_EVENTS, "enrichment.completed", "enrichment.failed"]);
const isDomainEventType = (type: string): type is DomainEventType => OUTBOX_TYPES.has(type);

/** An outbox row back to bus events (the table keeps the type as text). */
export const fromOutbox = (events: OutboxEvent[]): DomainEvent[] =>
  events.flatMap((e) => (isDomainEventType(e.type) ? [{ id: e.id, type: e.type, orgId: e.orgId, occurredAt: e.occurredAt, data: e.data }] : []));

export interface SettledJob {
  id: string;
  orgId: string;
  outbox: OutboxEvent[];
}

/**
 * Publishes settled jobs' outboxes (one publish, so subscribers read once for all) and marks them published; webhook
 * deliveries are keyed by event id, so a repeat delivers nothing new.
 */
export async function publishJobOutboxes(env: Env, db: Db, jobs: SettledJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await publish(env, jobs.flatMap((job) => fromOutbox(job.outbox)));
  const now = nowIso();
  await runStatements(
    db,
    chunks(jobs, IN_LIST_LIMIT).map((group) =>
      rawStatement(db, `UPDATE auto_enrichment_jobs SET published_at = ? WHERE id IN (${group.map(() => "?").join(", ")}) AND published_at IS NULL`, now, ...group.map((j) => j.id)),
    ),
  );
}

export const publishJobOutbox = (env: Env, db: Db, job: SettledJob) => publishJobOutboxes(env, db, [job]);
