import type { DomainEvent, Subscriber } from "../../../platform/events";
import { publish } from "../../../platform/events";

declare module "../../../platform/events" {
  interface DomainEventMap {
    ENRICH_COMPLETED: Record<string, unknown>;
    ENRICH_FAILED: Record<string, unknown>;
  }
}

/** Instaview's run events, which webhooks may subscribe to (a run's webhook must subscribe to one of them). */
export const INSTAVIEW_EVENTS = ["ENRICH_COMPLETED", "ENRICH_FAILED"] as const;

/** The `origin` of the jobs Instaview runs start, which their `job.*` events carry. */
export const INSTAVIEW_ORIGIN = "instaview";

export const requestIdOf = (jobId: string) => `enr_${jobId}`;

interface JobEventData {
  jobId: string;
  counts: { succeeded: number; failed: number; cancelled: number };
  credits: number;
  createdAt: string;
  finishedAt: string | null;
}

/**
 * ENRICH_COMPLETED or ENRICH_FAILED for a finished run, from its job's event. Like Instaview's own webhooks it
 * carries the run's ids, status and counts; the per-profile results are at GET /sourcing/enrich/{requestId}/results.
 * Its id is derived from the job, so a job event published twice delivers once.
 */
function runEvent(job: DomainEvent): DomainEvent {
  const data = job.data as unknown as JobEventData;
  const failed = job.type === "job.failed";
  return {
    id: `evt_${data.jobId}_instaview`,
    type: failed ? "ENRICH_FAILED" : "ENRICH_COMPLETED",
    orgId: job.orgId,
    occurredAt: job.occurredAt,
    webhookId: job.webhookId,
    data: {
      requestId: requestIdOf(data.jobId),
      status: failed ? "failed" : "completed",
      createdAt: data.createdAt,
      completedAt: data.finishedAt,
      enrichedCount: data.counts.succeeded,
      failureCount: data.counts.failed + data.counts.cancelled,
      creditsConsumed: data.credits,
      webhookId: job.webhookId ?? null,
    },
  };
}

/** Turns the `job.completed`/`job.failed` events of Instaview runs into Instaview's run events. */
export const instaviewRunEvents: Subscriber = async (events, env) => {
  const runs = events.filter((e) => (e.type === "job.completed" || e.type === "job.failed") && e.data.origin === INSTAVIEW_ORIGIN);
  await publish(env, runs.map(runEvent));
};
