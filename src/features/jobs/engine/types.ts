import type { EntityType } from "../../../domain/attributes";
import type { EnrichmentResult } from "../../enrichment/result";

export type JobStatus = "queued" | "processing" | "paused" | "completed" | "failed" | "cancelled";
export type EntityStatus = "pending" | "running" | "succeeded" | "failed" | "cancelled";
export type TaskStatus = "queued" | "dispatched" | "running" | "done" | "cancelled";
export type Strategy = "all" | "waterfall";

export const terminalJobStatuses: readonly JobStatus[] = ["completed", "failed", "cancelled"];

export interface JobEntity {
  entityId: string;
  externalId: string | null;
  type: EntityType;
}

/** Everything a job's object needs to run it; built and validated by the jobs service. */
export interface JobSpec {
  jobId: string;
  orgId: string;
  actorKeyId: string | null;
  createdAt: string;
  integrationCodes: string[];
  strategy: Strategy;
  params: Record<string, unknown>;
  forceRefresh: boolean;
  webhookId: string | null;
  perEntityTimeoutMs: number;
  /** Credits held for the whole job (0 for postpaid organizations). */
  reservedCredits: number;
  /** The most one entity's run of each integration can charge (0 when disabled): what each task holds of the reservation. */
  chargeByCode: Record<string, number>;
  /** Most tasks in flight per lane: an integration code ("all"), or WATERFALL_LANE. */
  laneCaps: Record<string, number>;
  entities: JobEntity[];
}

/** Waterfall tasks run every integration of the job in turn, so they share one lane capped by the smallest limit. */
export const WATERFALL_LANE = "*waterfall";

/** A `provider-calls` message that runs one task of a job: one entity x integration, or one entity's waterfall. */
export interface JobTaskMessage {
  kind: "job_task";
  jobId: string;
  taskId: string;
  /** Which dispatch of the task this is; only the latest may run. */
  dispatch: number;
  orgId: string;
  actorKeyId: string | null;
  entityId: string;
  entityIndex: number;
  integrationCodes: string[];
  strategy: Strategy;
  params: Record<string, unknown>;
  forceRefresh: boolean;
}

export interface TaskClaim {
  taskId: string;
  dispatch: number;
  /** The queue delivers this message again after a consumer failed on it (attempts > 1). */
  redelivery: boolean;
}

export type ClaimAnswer = { taskId: string; run: true; deadline: number } | { taskId: string; run: false; reason: string };

/** A result as the object stores and reports it: the public shape, without the entity fields. */
export type TaskResult = Omit<EnrichmentResult, "fields">;

export interface TaskReport {
  taskId: string;
  results: TaskResult[];
}

export interface JobCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface JobSnapshot {
  jobId: string;
  orgId: string;
  status: JobStatus;
  counts: JobCounts;
  credits: number;
  costCents: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  version: number;
}

export interface EntityOutcome {
  entityIndex: number;
  entityId: string;
  externalId: string | null;
  status: EntityStatus;
  results: TaskResult[];
}
