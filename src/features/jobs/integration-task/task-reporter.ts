import type { EnrichedField } from "../../../db/schema/entities";
import type { EnrichmentResult } from "../../enrichment";
import type { ProviderCallContext } from "../../../platform/queue-context";
import type { IntegrationTaskResult as TaskResult, JobTaskMessage } from "./spec";
import { getJobStub } from "../engine/stub";
import { recordTasks } from "./record-results";
import { chunks } from "../../../platform/lib/chunks";

/**
 * How long a finished task waits for others of its batch so that they share one D1 batch and one report. Short
 * next to a provider call, long enough to gather tasks whose calls came back together.
 */
export const REPORT_LINGER_MS = 20;

/** Bounds the statements in one D1 batch (about six per task). */
const TASKS_PER_RECORD = 50;

export const retryDelaySeconds = (attempts: number) => Math.min(60, 2 ** Math.max(1, attempts));

/** A claimed task that ran, waiting to be recorded, reported and acknowledged. */
export interface FinishedTask {
  message: Message<unknown>;
  body: JobTaskMessage;
  results: EnrichmentResult[];
  /** False when there is nothing to record (the entity was deleted): the results are only reported. */
  record: boolean;
  entityEnriched: Record<string, EnrichedField>;
}

/**
 * Coalesces the tasks of one consumer invocation that finish close together: they are recorded in one D1 batch
 * and reported with one call per job. Per-task bookkeeping (a D1 batch, a call into the job's object, its
 * transaction, pump and alarm) used to cost more than the provider calls of a cached job.
 */
export class TaskReporter {
  private pending: FinishedTask[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly settling: Promise<void>[] = [];

  constructor(
    private readonly context: ProviderCallContext,
    /** Claimed tasks not yet finished: when none is left there is nothing to wait for. */
    private outstanding: number,
  ) {}

  /** A task finished; `null` when it could not run and its message was already handed back for a retry. */
  finished(task: FinishedTask | null): void {
    this.outstanding--;
    if (task) this.pending.push(task);
    if (this.outstanding <= 0) this.flush();
    else if (this.pending.length > 0 && this.timer === undefined) this.timer = setTimeout(() => this.flush(), REPORT_LINGER_MS);
  }

  /** Resolves once every finished task is recorded, reported and acknowledged (or handed back for a retry). */
  async done(): Promise<void> {
    this.flush();
    await Promise.all(this.settling);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.settling.push(settle(batch, this.context));
  }
}

async function settle(batch: FinishedTask[], context: ProviderCallContext): Promise<void> {
  const reports = new Map<FinishedTask, TaskResult[]>();
  for (const f of batch) if (!f.record) reports.set(f, f.results);
  const toRecord = batch.filter((f) => f.record);
  for (const chunk of chunks(toRecord, TASKS_PER_RECORD)) {
    try {
      const stored = await recordTasks(
        context.db,
        chunk.map((f) => ({
          task: { orgId: f.body.orgId, jobId: f.body.jobId, entityId: f.body.entityId, entityIndex: f.body.entityIndex, actorKeyId: f.body.actorKeyId },
          entityEnriched: f.entityEnriched,
          results: f.results,
        })),
      );
      chunk.forEach((f, j) => reports.set(f, stored[j] ?? []));
    } catch (error) {
      // D1 failed: run again later; the task keys keep records and charges exactly-once.
      retryAll(chunk, "recording job tasks failed; retrying", error);
    }
  }
  const byJob = new Map<string, FinishedTask[]>();
  for (const f of reports.keys()) byJob.set(f.body.jobId, [...(byJob.get(f.body.jobId) ?? []), f]);
  await Promise.all(
    [...byJob].map(async ([jobId, tasks]) => {
      try {
        await getJobStub(context.env, jobId).reportMany(tasks.map((f) => ({ taskId: f.body.taskId, results: reports.get(f) ?? [] })));
        for (const f of tasks) f.message.ack();
      } catch (error) {
        // What D1 holds is read back on the retry and reported then.
        retryAll(tasks, "reporting job tasks failed; retrying", error);
      }
    }),
  );
}

function retryAll(tasks: FinishedTask[], message: string, error: unknown): void {
  console.error(JSON.stringify({ level: "error", message, jobIds: [...new Set(tasks.map((t) => t.body.jobId))], count: tasks.length, error: String(error) }));
  for (const t of tasks) t.message.retry({ delaySeconds: retryDelaySeconds(t.message.attempts) });
}
