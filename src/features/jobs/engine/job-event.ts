import { type DomainEvent, newEvent } from "../../../platform/events";
import type { JobSnapshot, JobSpec } from "./types";

declare module "../../../platform/events" {
  interface DomainEventMap {
    "job.completed": Record<string, unknown>;
    "job.failed": Record<string, unknown>;
  }
}

/** The job events webhooks may subscribe to. */
export const JOB_EVENTS = ["job.completed", "job.failed"] as const;

export function jobEvent(spec: Omit<JobSpec, "entities">, snapshot: JobSnapshot): DomainEvent {
  const type = snapshot.status === "failed" ? "job.failed" : "job.completed";
  const event = newEvent(
    type,
    spec.orgId,
    {
      jobId: spec.jobId,
      status: snapshot.status,
      counts: snapshot.counts,
      credits: snapshot.credits,
      costCents: snapshot.costCents,
      createdAt: snapshot.createdAt,
      finishedAt: snapshot.finishedAt,
      ...(spec.origin === undefined ? {} : { origin: spec.origin }),
    },
    spec.webhookId,
  );
  return { ...event, id: `evt_${spec.jobId}_job` };
}
