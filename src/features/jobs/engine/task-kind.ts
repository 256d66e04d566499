import type { Env } from "../../../platform/env";
import type { DomainEvent } from "../../../platform/events";
import type { EntityOutcome, EntityStatus, JobSpec, QueuedTask, StoredJobSpec, TaskResult, TaskRow } from "./types";

/** One task as a kind plans it: its lane (tasks of a lane share the lane's cap), what it runs, what it may charge. */
export interface PlannedTask {
  /** Unique within the job, stable (the kind's records are keyed by it or by the entity and codes). */
  id: string;
  lane: string;
  /** What the task runs, as the kind names it (integration codes; later model ids). */
  codes: string[];
  /** The most the task can charge: the part of the job's reservation it holds until it ends. */
  maxCharge: number;
  /** Runs only after every task of the entity at a lower stage has ended (default 0): a chain within an entity. */
  stage?: number;
}

/** One entity's row of a job's results, as any kind presents it (a kind adds its own fields). */
export interface PresentedOutcome {
  entityIndex: number;
  externalId: string | null;
  status: EntityStatus;
  error: { code: string; message: string } | null;
  [field: string]: unknown;
}

/** An event the kind adds to the job's stream (`type` is the SSE event name). */
export interface KindEvent {
  type: string;
  data: Record<string, unknown>;
}

/** A message that runs one dispatch of a task; `kind` names its `provider-calls` handler. */
export interface TaskMessage {
  kind: string;
  taskId: string;
}

/** A task the object gave up on: sent too often without a report. */
export interface LostTask {
  taskId: string;
  entityId: string;
  entityIndex: number;
  codes: string[];
  dispatches: number;
}

export interface LostTaskRecord {
  /** What the task is recorded as (the first error is logged on the job's stream). */
  lost: TaskResult[];
  /** What the kind's store holds after recording: a late run that got there first wins. */
  stored: TaskResult[];
}

/**
 * What the job engine (the EnrichmentJob object) needs from the work it schedules. The engine plans nothing, runs
 * nothing and records nothing itself: it keeps tasks in lanes under their caps, sends them, takes their reports,
 * re-sends the lost ones and settles the job. Everything specific to one kind of work goes through here, so a new
 * kind (an LLM model call, a fusion, an arbitration) is a new implementation registered by its feature's manifest
 * (`taskKinds`), with its own `provider-calls` handler that claims and reports through the job's object.
 */
export interface TaskKind {
  /** Stored as the job spec's `kind`. */
  readonly name: string;
  /** The SSE event each result of a task is streamed as (`enrichment_completed`). */
  readonly resultEvent: `${string}_completed`;
  /** What the stream's `job_started` event says about the work (the integration kind: its codes and strategy). */
  started(spec: JobSpec): Record<string, unknown>;
  /** One entity's tasks, in the order they should run. */
  plan(spec: JobSpec, entityIndex: number): PlannedTask[];
  /** The message that runs this dispatch of the task. */
  message(spec: StoredJobSpec, task: QueuedTask, dispatch: number): TaskMessage;
  /** Records a task that never reported (as timed out) where the kind keeps its results, exactly once. */
  recordLost(env: Env, spec: StoredJobSpec, task: LostTask): Promise<LostTaskRecord>;
  /** The data of the stream's `entity_completed` event for a settled entity. */
  entityCompleted(outcome: EntityOutcome): Record<string, unknown>;
  /** Bus events for a settled entity; ids derived from the job and entity, so publishing again delivers nothing twice. */
  entityEvents(spec: StoredJobSpec, outcome: EntityOutcome): DomainEvent[];
  /** One entity's row of `GET /v1/jobs/{id}/results`. */
  presentOutcome(outcome: EntityOutcome): PresentedOutcome;
  /** Events streamed right after `job_started` (e.g. the strategy the kind chose). */
  startEvents?(spec: JobSpec): KindEvent[];
  /** Events streamed when a task starts running (its claim). */
  claimEvents?(spec: StoredJobSpec, task: TaskRow): KindEvent[];
  /** Events streamed for a task's results; without it, one `resultEvent` per result. */
  resultEvents?(spec: StoredJobSpec, task: TaskRow, results: TaskResult[]): KindEvent[];
  /**
   * The status of an entity whose tasks have all ended, not all cancelled (default: succeeded when any result
   * succeeded), for kinds whose helper tasks (a classification) succeed without the entity having succeeded.
   * The engine calls it unbound (a plain function, not a method using `this`).
   */
  entityStatus?: (results: TaskResult[]) => Extract<EntityStatus, "succeeded" | "failed">;
}

/** Jobs stored before kinds existed ran integration tasks. */
export const DEFAULT_TASK_KIND = "integration";

const kinds = new Map<string, TaskKind>();

/** Called by the wiring with every feature manifest's `taskKinds`. */
export function registerTaskKinds(list: readonly TaskKind[]): void {
  for (const kind of list) {
    const known = kinds.get(kind.name);
    if (known && known !== kind) throw new Error(`Two task kinds are named ${kind.name}`);
    kinds.set(kind.name, kind);
  }
}

export function taskKindOf(spec: Pick<JobSpec, "kind">): TaskKind {
  const name = spec.kind ?? DEFAULT_TASK_KIND;
  const kind = kinds.get(name);
  if (!kind) throw new Error(`No task kind "${name}" is registered`);
  return kind;
}

declare module "../../../platform/worker/feature" {
  interface FeatureManifest {
    /** Kinds of job task the feature runs on the job engine; the wiring registers them (`registerTaskKinds`). */
    readonly taskKinds?: readonly TaskKind[];
  }
}
