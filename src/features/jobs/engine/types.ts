import type { JobStatus } from "../../../domain/vocabulary";

export type { JobStatus };
export type EntityStatus = "pending" | "running" | "succeeded" | "failed" | "cancelled";
export type TaskStatus = "queued" | "dispatched" | "running" | "done" | "cancelled";

export const terminalJobStatuses: readonly JobStatus[] = ["completed", "failed", "cancelled"];

export interface JobEntity {
  /** The organization's entity, or "" for an input the kind keeps only in the job (its `data`). */
  entityId: string;
  externalId: string | null;
  /** An entity type (person, company), or what the kind calls a job-local input. */
  type: string;
  /** The kind's own per-entity payload (JSON text), kept in the object and handed back with each queued task. */
  data?: string | null;
}

/**
 * What the engine itself reads of a job's spec. A task kind's spec adds its own fields (the integration kind: codes,
 * strategy, params); the object stores the whole spec and hands it back to the kind.
 */
export interface JobSpec {
  /** The task kind that plans, sends and records this job's tasks; absent in jobs stored before kinds existed. */
  kind?: string;
  jobId: string;
  orgId: string;
  actorKeyId: string | null;
  createdAt: string;
  webhookId: string | null;
  perEntityTimeoutMs: number;
  /** Credits held for the whole job (0 for postpaid organizations). */
  reservedCredits: number;
  /** Most tasks in flight per lane (the kind names the lanes). */
  laneCaps: Record<string, number>;
  /** Who started the job when not Dossier's own API (a compatibility layer's name); the job's events carry it. */
  origin?: string;
  entities: JobEntity[];
}

/** The spec as the object stores it: everything but the entities, which have their own table. */
export type StoredJobSpec = Omit<JobSpec, "entities">;

/** One row of the object's `tasks` table (SQLite column names). */
export type TaskRow = {
  id: string;
  entity_idx: number;
  /** A task runs only once every task of its entity at a lower stage has ended. */
  stage: number;
  lane: string;
  /** JSON array of what the task runs (integration codes for the integration kind). */
  codes: string;
  status: TaskStatus;
  dispatch: number;
  lease_until: number | null;
  results: string | null;
};

export type QueuedTask = TaskRow & { entity_id: string; entity_data: string | null };

/** One row of the object's `entities` table. */
export type EntityRow = {
  idx: number;
  entity_id: string;
  external_id: string | null;
  status: EntityStatus;
  /** Held for a decision until this time (ms): its tasks wait, the job is paused. */
  hold_until: number | null;
  /** JSON of the EntityHold while held. */
  hold: string | null;
  /** JSON `{code, message}` once the entity was skipped (its remaining tasks cancelled). */
  skipped: string | null;
};

export interface TaskClaim {
  taskId: string;
  dispatch: number;
  /** The queue delivers this message again after a consumer failed on it (attempts > 1). */
  redelivery: boolean;
}

export type ClaimAnswer = { taskId: string; run: true; deadline: number } | { taskId: string; run: false; reason: string };

/**
 * What the engine reads of a task's result to count and charge it; a kind's results carry more (the integration
 * kind's are enrichment results without the entity fields), stored and streamed as they are.
 */
export interface TaskResult {
  success: boolean;
  credits: number;
  costCents: number;
  error?: { code: string; message: string };
}

/** Why an entity is skipped: its tasks not yet running are cancelled and it settles as cancelled. */
export interface EntitySkip {
  code: string;
  message: string;
}

/** An entity whose next tasks wait for a decision (`decide`); the job pauses with `reason` meanwhile. */
export interface EntityHold {
  reason: string;
  /** Without a decision by then, the entity is skipped with `timeoutCode`. */
  timeoutMs: number;
  timeoutCode: string;
  /** Streamed with the `job_paused` event. */
  data?: Record<string, unknown>;
}

/** What the kind decided about the rest of a task's entity, from the task's outcome. */
export type EntityDirective = { skip: EntitySkip } | { hold: EntityHold };

export interface TaskReport {
  taskId: string;
  results: TaskResult[];
  next?: EntityDirective;
}

export type Decision = "proceed" | "skip";

/**
 * Entities by where they are, disjoint: every entity is in exactly one, so the five add up to `total` at every
 * moment. `queued`: not started; `running`: started (a task claimed), not settled; then how it settled. A cancelled
 * job's entities that never started are `cancelled`; those running when it was cancelled finish as they finish. An
 * entity held for a decision (`EntityHold`) has started and not settled, so it is `running` while held; a skipped one
 * (`EntitySkip`: a decision, a hold's timeout, the kind's directive) settles `cancelled`.
 */
export interface JobCounts {
  total: number;
  queued: number;
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
  /** Set while the job is paused because entities wait for a decision (a hold's reason). */
  pauseReason: string | null;
}

export interface EntityOutcome {
  entityIndex: number;
  entityId: string;
  externalId: string | null;
  status: EntityStatus;
  results: TaskResult[];
  /** Set when the entity was skipped rather than run to the end. */
  skipped?: EntitySkip;
}
