import { DurableObject } from "cloudflare:workers";
import { createDb } from "../../../platform/db/client";
import type { Env } from "../../../platform/env";
import { publish } from "../../../platform/events";
import { DEFAULT_HEARTBEAT_SECONDS, lastEventIdOf } from "../../../platform/http/sse";
import type { AuditEntry } from "../../tenancy";
import { sendTaskMessages } from "./dispatch";
import { JobEventLog } from "./event-log";
import { jobEvent } from "./job-event";
import { syncJobRow } from "./sync-row";
import { JobStore } from "./store";
import { type TaskKind, type TaskMessage, taskKindOf } from "./task-kind";
import type {
  ClaimAnswer,
  Decision,
  EntityDirective,
  EntityOutcome,
  EntitySkip,
  EntityStatus,
  JobEntity,
  JobSnapshot,
  JobSpec,
  TaskClaim,
  TaskReport,
  TaskResult,
  TaskRow,
} from "./types";

/** How long a dispatched message may wait in the queue before the alarm sends it again. */
export const DISPATCH_LEASE_MS = 30_000;
/** After a task's deadline, how long its consumer gets to record and report before the task counts as lost. */
export const REPORT_GRACE_MS = 15_000;
/** Dispatches without any report before the object gives the task up as timed out. */
export const MAX_DISPATCHES = 5;
const SYNC_INTERVAL_MS = 2_000;
const RETRY_MS = 5_000;

export type ActionAnswer = { ok: true; snapshot: JobSnapshot } | { ok: false; snapshot: JobSnapshot };

/**
 * One instance per batch job. It holds the job's tasks in SQLite, keeps each integration's tasks in flight under
 * its concurrency limit, hands tasks to the `provider-calls` queue, takes the consumers' reports, re-dispatches
 * what never reported (alarm), settles the job in D1, publishes its events and streams its progress (SSE).
 * Every entry point is idempotent: queue delivery is at-least-once and alarms may fire twice.
 */
export class EnrichmentJob extends DurableObject<Env> {
  private readonly store: JobStore;
  private readonly log: JobEventLog;
  private lastSyncAt = 0;
  /** When to try again after a failed send or D1 write (kept in memory: a restart retries on the next visit anyway). */
  private retryAt: number | null = null;
  /** Sends task messages; a test swaps it to lose messages on purpose. */
  sendTasks: (messages: TaskMessage[]) => Promise<void>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new JobStore(ctx.storage.sql);
    this.log = new JobEventLog(ctx.storage.sql);
    this.sendTasks = (messages) => sendTaskMessages(env.PROVIDER_CALLS, messages);
  }

  private get db() {
    return createDb(this.env.DB);
  }

  /** The kind of work this job's tasks are (integration calls today). */
  private get kind(): TaskKind {
    return taskKindOf(this.store.spec());
  }

  async start(spec: JobSpec): Promise<JobSnapshot> {
    if (!this.store.exists()) {
      const kind = taskKindOf(spec);
      this.ctx.storage.transactionSync(() => {
        this.store.create(spec, new Date().toISOString(), (entityIndex) => kind.plan(spec, entityIndex));
        this.log.append("job_started", {
          jobId: spec.jobId,
          total: spec.entities.length,
          ...kind.started(spec),
        });
        for (const event of kind.startEvents?.(spec) ?? []) this.log.append(event.type, event.data);
      });
    }
    await this.pump();
    await this.afterChange(true);
    return this.store.snapshot();
  }

  /**
   * Consumers ask before running: only the latest dispatch of a task still wanted may run. Each task's clock
   * (perEntityTimeoutMs) starts at its own claim: time spent waiting in the queue behind other lanes is not the
   * entity's fault and must not time it out.
   */
  async claim(claims: TaskClaim[]): Promise<ClaimAnswer[]> {
    if (!this.store.exists()) return claims.map((c) => ({ taskId: c.taskId, run: false, reason: "no such job" }));
    const status = this.store.status();
    const spec = this.store.spec();
    const kind = taskKindOf(spec);
    const { perEntityTimeoutMs } = spec;
    const now = Date.now();
    const deadline = now + perEntityTimeoutMs;
    const answers = this.ctx.storage.transactionSync(() =>
      claims.map((c): ClaimAnswer => {
        const task = this.store.task(c.taskId);
        if (!task) return { taskId: c.taskId, run: false, reason: "no such task" };
        // A consumer that failed after claiming (D1 or this object unreachable) gets its retried message back in.
        const retried = task.status === "running" && c.redelivery;
        if (task.status !== "dispatched" && !retried) return { taskId: c.taskId, run: false, reason: `task is ${task.status}` };
        if (task.dispatch !== c.dispatch) return { taskId: c.taskId, run: false, reason: "superseded by a later dispatch" };
        if (status !== "processing") {
          this.store.requeue(task.id);
          return { taskId: c.taskId, run: false, reason: `job is ${status}` };
        }
        this.store.markRunning(task.id, deadline + REPORT_GRACE_MS);
        if (this.store.startEntity(task.entity_idx, now)) {
          this.log.append("entity_started", {
            entity_index: task.entity_idx,
            entityId: this.store.entity(task.entity_idx)?.entity_id,
            counts: this.store.outcomes.counts(),
          });
        }
        for (const event of kind.claimEvents?.(spec, task) ?? []) this.log.append(event.type, event.data);
        return { taskId: c.taskId, run: true, deadline };
      }),
    );
    await this.scheduleAlarm();
    return answers;
  }

  /** A task's results as D1 holds them. The first report wins; repeats change nothing. */
  async report(taskId: string, results: TaskResult[]): Promise<{ accepted: boolean }> {
    const [accepted = false] = (await this.reportMany([{ taskId, results }])).accepted;
    return { accepted };
  }

  /**
   * Several tasks' results at once (a consumer reports what finished together): one transaction, one round of
   * event publishing, one pump and one alarm for all of them, instead of one each.
   */
  async reportMany(reports: TaskReport[]): Promise<{ accepted: boolean[] }> {
    const { accepted, outcomes } = this.ctx.storage.transactionSync(() => {
      const settled: EntityOutcome[] = [];
      const accepted = reports.map(({ taskId, results, next }) => {
        const task = this.store.task(taskId);
        if (!task || task.status === "done") return false;
        const outcome = this.completeInTransaction(task, results, next);
        if (outcome) settled.push(outcome);
        return true;
      });
      return { accepted, outcomes: settled };
    });
    if (!accepted.some(Boolean)) return { accepted };
    await this.publishEntities(outcomes);
    await this.pump();
    await this.afterChange(false);
    return { accepted };
  }

  async pause(actorKeyId: string | null): Promise<ActionAnswer> {
    if (this.store.status() !== "processing") return this.refuse();
    this.ctx.storage.transactionSync(() => {
      this.store.requeueUnclaimed();
      this.store.touch({ status: "paused" });
      this.log.append("job_paused", this.progress());
    });
    await this.afterChange(true, [this.auditOf("job.paused", actorKeyId)]);
    return { ok: true, snapshot: this.store.snapshot() };
  }

  /** Dispatches again; entities held for a decision go on as if `proceed` had been decided. */
  async resume(actorKeyId: string | null): Promise<ActionAnswer> {
    if (this.store.status() !== "paused") return this.refuse();
    if (this.store.heldEntities().length > 0) return this.decide("proceed", actorKeyId);
    this.ctx.storage.transactionSync(() => {
      this.store.touch({ status: "processing" });
      this.log.append("job_resumed", this.progress());
    });
    await this.pump();
    await this.afterChange(true, [this.auditOf("job.resumed", actorKeyId)]);
    return { ok: true, snapshot: this.store.snapshot() };
  }

  /**
   * The decision on the entities held for one (`POST /v1/jobs/{id}/continue`): `proceed` runs their next tasks,
   * `skip` skips them; then the job goes on. A job paused without held entities simply resumes.
   */
  async decide(decision: Decision, actorKeyId: string | null): Promise<ActionAnswer> {
    if (this.store.status() !== "paused") return this.refuse();
    const held = this.store.heldEntities();
    if (held.length === 0) return this.resume(actorKeyId);
    const kind = this.kind;
    const settled = this.ctx.storage.transactionSync(() => {
      const outcomes =
        decision === "proceed"
          ? (this.store.releaseHolds(), [])
          : held.flatMap(({ idx, hold }) => this.skipInTransaction(kind, idx, { code: hold.reason, message: "Skipped by decision" }) ?? []);
      this.store.setPauseReason(null);
      this.store.touch({ status: "processing" });
      this.log.append("job_resumed", { ...this.progress(), decision, entity_indexes: held.map((h) => h.idx) });
      return outcomes;
    });
    await this.publishEntities(settled);
    await this.pump();
    await this.afterChange(true, [this.auditOf("job.continued", actorKeyId, { decision, entityIndexes: held.map((h) => h.idx) })]);
    return { ok: true, snapshot: this.store.snapshot() };
  }

  async cancel(actorKeyId: string | null): Promise<ActionAnswer> {
    const status = this.store.status();
    if (status !== "processing" && status !== "paused") return this.refuse();
    const kind = this.kind;
    const settled = this.ctx.storage.transactionSync(() => {
      this.store.cancelWaitingTasks();
      this.store.releaseHolds();
      this.store.setPauseReason(null);
      this.store.touch({ status: "cancelled", finishedAt: new Date().toISOString() });
      const outcomes = this.store.outcomes.settleAll(kind.entityStatus);
      for (const o of outcomes) this.log.append("entity_completed", this.entityCompleted(kind, o));
      this.log.append("job_cancelled", this.progress());
      return outcomes;
    });
    await this.publishEntities(settled);
    await this.afterChange(true, [this.auditOf("job.cancelled", actorKeyId)]);
    return { ok: true, snapshot: this.store.snapshot() };
  }

  async snapshot(): Promise<JobSnapshot | null> {
    if (!this.store.exists()) return null;
    await this.ensureAlarm();
    return this.store.snapshot();
  }

  /** Per-entity outcomes from `fromIndex` on, for results pages and the CSV export. */
  async outcomes(fromIndex: number, limit: number, statuses?: EntityStatus[]): Promise<EntityOutcome[]> {
    return this.store.exists() ? this.store.outcomes.page(fromIndex, limit, statuses) : [];
  }

  async entitiesWithStatus(status: EntityStatus): Promise<{ spec: Omit<JobSpec, "entities">; entities: JobEntity[] } | null> {
    if (!this.store.exists()) return null;
    return { spec: this.store.spec(), entities: this.store.outcomes.entitiesWithStatus(status) };
  }

  /** The SSE stream (`GET /events`): what came after Last-Event-ID, then live events until `completed`. */
  override async fetch(request: Request): Promise<Response> {
    if (!this.store.exists()) return new Response("no such job", { status: 404 });
    const url = new URL(request.url);
    const seconds = Number(url.searchParams.get("heartbeat") ?? DEFAULT_HEARTBEAT_SECONDS);
    const afterId = lastEventIdOf(request.headers.get("last-event-id"), url.searchParams.get("lastEventId"));
    await this.ensureAlarm();
    return this.log.open(afterId, Math.max(1, seconds) * 1000);
  }

  /** Re-dispatches what never reported, gives up on tasks lost too often, retries D1 writes, settles the job. */
  override async alarm(): Promise<void> {
    if (!this.store.exists() || (this.store.isFinalized() && !this.store.needsSync())) return;
    this.retryAt = null;
    const now = Date.now();
    await this.expireHolds(now);
    const cancelled = this.store.status() === "cancelled";
    for (const task of this.store.overdueTasks(now)) {
      if (cancelled) await this.dropLost(task);
      else if (task.dispatch >= MAX_DISPATCHES) await this.giveUp(task);
      else {
        this.store.requeue(task.id);
      }
    }
    await this.pump();
    await this.afterChange(true);
  }

  /** Held entities whose decision did not come in time are skipped; with none left held, the job goes on. */
  private async expireHolds(now: number): Promise<void> {
    const expired = this.store.heldEntities(now);
    if (expired.length === 0) return;
    const kind = this.kind;
    const settled = this.ctx.storage.transactionSync(() => {
      const outcomes = expired.flatMap(({ idx, hold }) =>
        this.skipInTransaction(kind, idx, { code: hold.timeoutCode, message: `No decision within ${Math.round(hold.timeoutMs / 1000)} s` }) ?? [],
      );
      this.resumeIfNothingHeld();
      this.store.touch();
      return outcomes;
    });
    await this.publishEntities(settled);
  }

  /** A job paused only for held entities goes on once none is held. */
  private resumeIfNothingHeld(): void {
    if (this.store.status() !== "paused" || this.store.pauseReason() === null || this.store.heldEntities().length > 0) return;
    this.store.setPauseReason(null);
    this.store.touch({ status: "processing" });
    this.log.append("job_resumed", this.progress());
  }

  private skipInTransaction(kind: TaskKind, idx: number, skip: EntitySkip): EntityOutcome | null {
    this.store.skipEntity(idx, skip);
    this.log.append("entity_skipped", { entity_index: idx, entityId: this.store.entity(idx)?.entity_id, ...skip });
    const outcome = this.store.outcomes.settleEntity(idx, kind.entityStatus);
    if (outcome) this.log.append("entity_completed", this.entityCompleted(kind, outcome));
    return outcome;
  }

  /** A task sent MAX_DISPATCHES times without a report: recorded as timed out (unless a late run got into D1 first). */
  private async giveUp(task: TaskRow): Promise<void> {
    const spec = this.store.spec();
    const entityId = this.store.entity(task.entity_idx)?.entity_id ?? "";
    const { lost, stored } = await this.kind.recordLost(this.env, spec, {
      taskId: task.id,
      entityId,
      entityIndex: task.entity_idx,
      codes: JSON.parse(task.codes) as string[],
      dispatches: task.dispatch,
    });
    const current = this.store.task(task.id);
    if (!current || current.status === "done") return;
    this.log.append("error", { entity_index: task.entity_idx, entityId, code: "ENRICHMENT_TIMEOUT", message: lost[0]?.error?.message });
    const outcome = this.complete(current, stored);
    if (outcome) await this.publishEntities([outcome]);
  }

  /** A cancelled job stops waiting for a task that went quiet; a late report still counts if it comes. */
  private async dropLost(task: TaskRow): Promise<void> {
    const kind = this.kind;
    const outcome = this.ctx.storage.transactionSync(() => {
      this.store.cancelTask(task.id);
      const settled = this.store.outcomes.settleEntity(task.entity_idx, kind.entityStatus);
      if (settled) this.log.append("entity_completed", this.entityCompleted(kind, settled));
      this.store.touch();
      return settled;
    });
    if (outcome) await this.publishEntities([outcome]);
  }

  private complete(task: TaskRow, results: TaskResult[]): EntityOutcome | null {
    return this.ctx.storage.transactionSync(() => this.completeInTransaction(task, results));
  }

  private completeInTransaction(task: TaskRow, results: TaskResult[], next?: EntityDirective): EntityOutcome | null {
    const entityId = this.store.entity(task.entity_idx)?.entity_id;
    this.store.completeTask(task.id, results);
    const spec = this.store.spec();
    const kind = taskKindOf(spec);
    const events = kind.resultEvents
      ? kind.resultEvents(spec, task, results)
      : results.map((result) => ({ type: kind.resultEvent, data: { entity_index: task.entity_idx, entityId, result } }));
    for (const event of events) this.log.append(event.type, event.data);
    if (next && "skip" in next) {
      const outcome = this.skipInTransaction(kind, task.entity_idx, next.skip);
      this.store.touch();
      return outcome;
    }
    if (next && "hold" in next && this.store.status() !== "cancelled") {
      this.store.holdEntity(task.entity_idx, next.hold, Date.now());
      if (this.store.status() === "processing") {
        this.store.requeueUnclaimed();
        this.store.setPauseReason(next.hold.reason);
        this.store.touch({ status: "paused" });
      }
      this.log.append("job_paused", { ...this.progress(), reason: next.hold.reason, entity_index: task.entity_idx, ...next.hold.data });
    }
    const outcome = this.store.outcomes.settleEntity(task.entity_idx, kind.entityStatus);
    if (outcome) this.log.append("entity_completed", this.entityCompleted(kind, outcome));
    this.store.touch();
    return outcome;
  }

  /** Keeps each lane's tasks in flight up to its cap; the queue's consumers provide the parallelism. */
  private async pump(): Promise<void> {
    if (this.store.status() !== "processing") return;
    const spec = this.store.spec();
    const kind = taskKindOf(spec);
    const inFlight = this.store.inFlightByLane();
    const leaseUntil = Date.now() + DISPATCH_LEASE_MS;
    const messages = this.ctx.storage.transactionSync(() =>
      this.store.queuedLanes().flatMap((lane) =>
        this.store
          .nextQueued(lane, (spec.laneCaps[lane] ?? 1) - (inFlight.get(lane) ?? 0))
          .map((task) => kind.message(spec, task, this.store.markDispatched(task.id, leaseUntil))),
      ),
    );
    if (messages.length === 0) return;
    try {
      await this.sendTasks(messages);
    } catch (error) {
      console.error(JSON.stringify({ level: "error", message: "dispatching job tasks failed", jobId: spec.jobId, error: String(error) }));
      this.ctx.storage.transactionSync(() => {
        for (const m of messages) this.store.requeue(m.taskId);
      });
      this.retryAt = Date.now() + RETRY_MS;
      await this.ctx.storage.setAlarm(this.retryAt);
    }
  }

  /** Finishes the job once nothing is left to run, writes D1 when due, and arms the alarm for the next deadline. */
  private async afterChange(forceSync: boolean, audit: AuditEntry[] = []): Promise<void> {
    try {
      await this.finishIfDone();
      await this.sync(forceSync || audit.length > 0, audit);
    } catch (error) {
      console.error(JSON.stringify({ level: "error", message: "job bookkeeping failed; the alarm retries", error: String(error) }));
      this.retryAt = Date.now() + RETRY_MS;
      await this.ctx.storage.setAlarm(this.retryAt);
      return;
    }
    await this.scheduleAlarm();
  }

  private async finishIfDone(): Promise<void> {
    if (this.store.isFinalized()) return;
    const status = this.store.status();
    if (status === "cancelled" ? this.store.inFlightCount() > 0 : this.store.activeTaskCount() > 0) return;
    if (status === "processing" || status === "paused") {
      this.ctx.storage.transactionSync(() => {
        const counts = this.store.outcomes.counts();
        const final = counts.total > 0 && counts.failed === counts.total ? "failed" : "completed";
        this.store.touch({ status: final, finishedAt: new Date().toISOString() });
        this.log.append(final === "failed" ? "job_failed" : "job_completed", this.progress());
      });
    }
    const snapshot = this.store.snapshot();
    const spec = this.store.spec();
    // Settle D1 first: a client that sees `completed` finds the reservation released and the counts final.
    // A cancelled job's audit row came with the cancel itself.
    await this.sync(true, snapshot.status === "cancelled" ? [] : [this.auditOf(`job.${snapshot.status}`, null)]);
    if (snapshot.status !== "cancelled") await publish(this.env, [jobEvent(spec, snapshot)]);
    this.ctx.storage.transactionSync(() => {
      this.store.markFinalized();
      if (!this.log.hasEnded()) this.log.append("completed", { status: snapshot.status });
    });
  }

  private async sync(force: boolean, audit: AuditEntry[] = []): Promise<void> {
    if (!this.store.needsSync() && audit.length === 0) return;
    if (!force && Date.now() - this.lastSyncAt < SYNC_INTERVAL_MS) return;
    const snapshot = this.store.snapshot();
    const spec = this.store.spec();
    const releaseTarget = this.store.isFinalized() || this.store.activeTaskCount() === 0 ? spec.reservedCredits : this.store.settledReservation();
    await syncJobRow(this.db, spec.orgId, { snapshot, releaseTarget: Math.min(releaseTarget, spec.reservedCredits), audit });
    this.lastSyncAt = Date.now();
    this.store.markSynced(snapshot.version);
  }

  private async publishEntities(outcomes: EntityOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const spec = this.store.spec();
    const kind = taskKindOf(spec);
    await publish(this.env, outcomes.flatMap((o) => kind.entityEvents(spec, o)));
  }

  private async scheduleAlarm(): Promise<void> {
    if (this.store.isFinalized() && !this.store.needsSync()) return;
    const lease = this.store.nextLease();
    const syncDue = this.store.needsSync() ? this.lastSyncAt + SYNC_INTERVAL_MS : null;
    const next = [lease, syncDue, this.retryAt, this.store.nextHoldExpiry()].filter((t): t is number => t !== null);
    if (next.length === 0) return;
    await this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...next)));
  }

  /** After a restart the alarm may be gone; any visit re-arms it so a job can never stall. */
  private async ensureAlarm(): Promise<void> {
    if (this.store.isFinalized() && !this.store.needsSync()) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.scheduleAlarm();
  }

  private refuse(): ActionAnswer {
    return { ok: false, snapshot: this.store.snapshot() };
  }

  /** The kind's data for `entity_completed`, plus the job's counts right after the entity settled. */
  private entityCompleted(kind: TaskKind, outcome: EntityOutcome): Record<string, unknown> {
    return { ...kind.entityCompleted(outcome), counts: this.store.outcomes.counts() };
  }

  private progress() {
    const s = this.store.snapshot();
    return { jobId: s.jobId, status: s.status, counts: s.counts, credits: s.credits, costCents: s.costCents };
  }

  private auditOf(action: string, actorKeyId: string | null, extra: Record<string, unknown> = {}): AuditEntry {
    const s = this.store.snapshot();
    return { orgId: s.orgId, actorKeyId, action, targetType: "job", targetId: s.jobId, data: { status: s.status, counts: s.counts, credits: s.credits, ...extra } };
  }
}
