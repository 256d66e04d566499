import type { EntityHold, EntityRow, EntitySkip, JobSnapshot, JobSpec, JobStatus, QueuedTask, TaskResult, TaskRow } from "./types";
import { EntityOutcomes } from "./entity-outcomes";
import type { PlannedTask } from "./task-kind";

type JobRow = {
  spec: string;
  status: JobStatus;
  pause_reason: string | null;
  version: number;
  synced_version: number;
  finalized: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
};

/** A job's state in its object's SQLite storage: one job row, its entities, their tasks. */
export class JobStore {
  /** Entity outcomes: settling finished entities, counts and result pages. */
  readonly outcomes: EntityOutcomes;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS job (
        id INTEGER PRIMARY KEY CHECK (id = 1), spec TEXT NOT NULL, status TEXT NOT NULL, pause_reason TEXT,
        version INTEGER NOT NULL, synced_version INTEGER NOT NULL DEFAULT 0, finalized INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS entities (
        idx INTEGER PRIMARY KEY, entity_id TEXT NOT NULL, external_id TEXT, type TEXT NOT NULL,
        status TEXT NOT NULL, started_at TEXT, finished_at TEXT, data TEXT, hold_until INTEGER, hold TEXT, skipped TEXT);
      CREATE TABLE IF NOT EXISTS tasks (
        id TEXT PRIMARY KEY, entity_idx INTEGER NOT NULL, position INTEGER NOT NULL, lane TEXT NOT NULL, codes TEXT NOT NULL,
        status TEXT NOT NULL, dispatch INTEGER NOT NULL DEFAULT 0, lease_until INTEGER, results TEXT, max_charge INTEGER NOT NULL,
        credits INTEGER NOT NULL DEFAULT 0, cost_cents INTEGER NOT NULL DEFAULT 0, stage INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX IF NOT EXISTS tasks_queue_idx ON tasks (status, lane, entity_idx, position);
      CREATE INDEX IF NOT EXISTS tasks_entity_idx ON tasks (entity_idx);
    `);
    // Objects created before these columns existed get them on their next visit (a new object has them all).
    addMissingColumns(sql, "job", { pause_reason: "TEXT" });
    addMissingColumns(sql, "entities", { data: "TEXT", hold_until: "INTEGER", hold: "TEXT", skipped: "TEXT" });
    addMissingColumns(sql, "tasks", { stage: "INTEGER NOT NULL DEFAULT 0" });
    this.outcomes = new EntityOutcomes(sql);
  }

  private row(): JobRow | null {
    return this.sql.exec<JobRow>("SELECT * FROM job WHERE id = 1").toArray()[0] ?? null;
  }

  exists(): boolean {
    return this.row() !== null;
  }

  spec(): Omit<JobSpec, "entities"> {
    const row = this.row();
    if (!row) throw new Error("Job not started");
    return JSON.parse(row.spec) as Omit<JobSpec, "entities">;
  }

  status(): JobStatus {
    return this.row()?.status ?? "queued";
  }

  isFinalized(): boolean {
    return this.row()?.finalized === 1;
  }

  /** Creates the job, its entities and their tasks, as the job's kind plans them. */
  create(spec: JobSpec, now: string, plan: (entityIndex: number) => PlannedTask[]): void {
    const { entities, ...rest } = spec;
    this.sql.exec(
      "INSERT INTO job (id, spec, status, version, created_at, started_at, updated_at) VALUES (1, ?, 'processing', 1, ?, ?, ?)",
      JSON.stringify(rest),
      spec.createdAt,
      now,
      now,
    );
    for (const [idx, entity] of entities.entries()) {
      this.sql.exec(
        "INSERT INTO entities (idx, entity_id, external_id, type, status, data) VALUES (?, ?, ?, ?, 'pending', ?)",
        idx,
        entity.entityId,
        entity.externalId,
        entity.type,
        entity.data ?? null,
      );
      for (const [position, task] of plan(idx).entries()) this.insertTask(task, idx, position);
    }
  }

  private insertTask(task: PlannedTask, entityIdx: number, position: number) {
    this.sql.exec(
      "INSERT INTO tasks (id, entity_idx, position, stage, lane, codes, status, max_charge) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
      task.id,
      entityIdx,
      position,
      task.stage ?? 0,
      task.lane,
      JSON.stringify(task.codes),
      task.maxCharge,
    );
  }

  /** The part of the reservation no task can charge any more: what may go back to the organization. */
  settledReservation(): number {
    return this.sql.exec<{ n: number | null }>("SELECT sum(max_charge) AS n FROM tasks WHERE status IN ('done', 'cancelled')").one().n ?? 0;
  }

  /** Every change of status or counts bumps the version that D1 writes are ordered by. */
  touch(fields: { status?: JobStatus; finishedAt?: string } = {}): void {
    const now = new Date().toISOString();
    this.sql.exec(
      "UPDATE job SET status = coalesce(?, status), finished_at = coalesce(?, finished_at), version = version + 1, updated_at = ? WHERE id = 1",
      fields.status ?? null,
      fields.finishedAt ?? null,
      now,
    );
  }

  markSynced(version: number): void {
    this.sql.exec("UPDATE job SET synced_version = max(synced_version, ?) WHERE id = 1", version);
  }

  needsSync(): boolean {
    const row = this.row();
    return row !== null && row.synced_version < row.version;
  }

  markFinalized(): void {
    this.sql.exec("UPDATE job SET finalized = 1 WHERE id = 1");
  }

  task(id: string): TaskRow | null {
    return this.sql.exec<TaskRow>("SELECT * FROM tasks WHERE id = ?", id).toArray()[0] ?? null;
  }

  entity(idx: number): EntityRow | null {
    return this.outcomes.entity(idx);
  }

  inFlightByLane(): Map<string, number> {
    const rows = this.sql
      .exec<{ lane: string; n: number }>("SELECT lane, count(*) AS n FROM tasks WHERE status IN ('dispatched', 'running') GROUP BY lane")
      .toArray();
    return new Map(rows.map((r) => [r.lane, r.n]));
  }

  queuedLanes(): string[] {
    return this.sql.exec<{ lane: string }>("SELECT DISTINCT lane FROM tasks WHERE status = 'queued'").toArray().map((r) => r.lane);
  }

  /** The lane's next runnable tasks: entities not held, and no unfinished task of the entity at an earlier stage. */
  nextQueued(lane: string, limit: number): QueuedTask[] {
    if (limit <= 0) return [];
    return this.sql
      .exec<QueuedTask>(
        `SELECT tasks.*, entities.entity_id, entities.data AS entity_data FROM tasks JOIN entities ON entities.idx = tasks.entity_idx
         WHERE tasks.status = 'queued' AND tasks.lane = ? AND entities.hold_until IS NULL
           AND NOT EXISTS (SELECT 1 FROM tasks AS earlier WHERE earlier.entity_idx = tasks.entity_idx AND earlier.stage < tasks.stage
                           AND earlier.status NOT IN ('done', 'cancelled'))
         ORDER BY tasks.entity_idx, tasks.position LIMIT ?`,
        lane,
        limit,
      )
      .toArray();
  }

  markDispatched(id: string, leaseUntil: number): number {
    return this.sql
      .exec<{ dispatch: number }>(
        "UPDATE tasks SET status = 'dispatched', dispatch = dispatch + 1, lease_until = ? WHERE id = ? RETURNING dispatch",
        leaseUntil,
        id,
      )
      .one().dispatch;
  }

  /** Back in line, e.g. its message was lost, the job was paused, or sending failed. */
  requeue(id: string): void {
    this.sql.exec("UPDATE tasks SET status = 'queued', lease_until = NULL WHERE id = ? AND status IN ('dispatched', 'running')", id);
  }

  markRunning(id: string, leaseUntil: number): void {
    this.sql.exec("UPDATE tasks SET status = 'running', lease_until = ? WHERE id = ?", leaseUntil, id);
  }

  /** Marks the entity running on its first claim; answers whether it just started. */
  startEntity(idx: number, now: number): boolean {
    return (
      this.sql
        .exec("UPDATE entities SET status = 'running', started_at = coalesce(started_at, ?) WHERE idx = ? AND status = 'pending' RETURNING idx", new Date(now).toISOString(), idx)
        .toArray().length > 0
    );
  }

  completeTask(id: string, results: TaskResult[]): void {
    const credits = results.reduce((s, r) => s + (r.success ? r.credits : 0), 0);
    const costCents = results.reduce((s, r) => s + r.costCents, 0);
    this.sql.exec(
      "UPDATE tasks SET status = 'done', lease_until = NULL, results = ?, credits = ?, cost_cents = ? WHERE id = ?",
      JSON.stringify(results),
      credits,
      costCents,
      id,
    );
  }

  /** Tasks not yet running are dropped; running ones finish and still count. */
  cancelWaitingTasks(): void {
    this.sql.exec("UPDATE tasks SET status = 'cancelled', lease_until = NULL WHERE status IN ('queued', 'dispatched')");
  }

  cancelTask(id: string): void {
    this.sql.exec("UPDATE tasks SET status = 'cancelled', lease_until = NULL WHERE id = ? AND status != 'done'", id);
  }

  requeueUnclaimed(): void {
    this.sql.exec("UPDATE tasks SET status = 'queued', lease_until = NULL WHERE status = 'dispatched'");
  }

  /** The entity's tasks not yet running are cancelled, any hold goes, and it remembers why. */
  skipEntity(idx: number, skip: EntitySkip): void {
    this.sql.exec("UPDATE tasks SET status = 'cancelled', lease_until = NULL WHERE entity_idx = ? AND status IN ('queued', 'dispatched')", idx);
    this.sql.exec("UPDATE entities SET skipped = ?, hold_until = NULL, hold = NULL WHERE idx = ?", JSON.stringify(skip), idx);
  }

  /** The entity's next tasks wait for a decision until `now + timeoutMs`. */
  holdEntity(idx: number, hold: EntityHold, now: number): void {
    this.sql.exec("UPDATE tasks SET status = 'queued', lease_until = NULL WHERE entity_idx = ? AND status = 'dispatched'", idx);
    this.sql.exec("UPDATE entities SET hold_until = ?, hold = ? WHERE idx = ? AND skipped IS NULL", now + hold.timeoutMs, JSON.stringify(hold), idx);
  }

  releaseHolds(): void {
    this.sql.exec("UPDATE entities SET hold_until = NULL, hold = NULL WHERE hold_until IS NOT NULL");
  }

  /** Held entities (all, or those whose decision time has passed by `now`), with their holds. */
  heldEntities(expiredBy?: number): { idx: number; hold: EntityHold }[] {
    return this.sql
      .exec<{ idx: number; hold: string }>(
        `SELECT idx, hold FROM entities WHERE hold_until IS NOT NULL ${expiredBy === undefined ? "" : "AND hold_until <= ?"} ORDER BY idx`,
        ...(expiredBy === undefined ? [] : [expiredBy]),
      )
      .toArray()
      .map((r) => ({ idx: r.idx, hold: JSON.parse(r.hold) as EntityHold }));
  }

  nextHoldExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(hold_until) AS at FROM entities WHERE hold_until IS NOT NULL").one().at;
  }

  setPauseReason(reason: string | null): void {
    this.sql.exec("UPDATE job SET pause_reason = ? WHERE id = 1", reason);
  }

  pauseReason(): string | null {
    return this.row()?.pause_reason ?? null;
  }

  overdueTasks(now: number): TaskRow[] {
    return this.sql
      .exec<TaskRow>("SELECT * FROM tasks WHERE status IN ('dispatched', 'running') AND lease_until <= ? ORDER BY entity_idx", now)
      .toArray();
  }

  nextLease(): number | null {
    return this.sql
      .exec<{ at: number | null }>("SELECT min(lease_until) AS at FROM tasks WHERE status IN ('dispatched', 'running')")
      .one().at;
  }

  activeTaskCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tasks WHERE status IN ('queued', 'dispatched', 'running')").one().n;
  }

  inFlightCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tasks WHERE status IN ('dispatched', 'running')").one().n;
  }

  totals(): { credits: number; costCents: number } {
    const row = this.sql.exec<{ credits: number | null; cost: number | null }>("SELECT sum(credits) AS credits, sum(cost_cents) AS cost FROM tasks").one();
    return { credits: row.credits ?? 0, costCents: row.cost ?? 0 };
  }

  snapshot(): JobSnapshot {
    const row = this.row();
    if (!row) throw new Error("Job not started");
    const spec = JSON.parse(row.spec) as Omit<JobSpec, "entities">;
    return {
      jobId: spec.jobId,
      orgId: spec.orgId,
      status: row.status,
      counts: this.outcomes.counts(),
      ...this.totals(),
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      updatedAt: row.updated_at,
      version: row.version,
      pauseReason: row.status === "paused" ? (row.pause_reason ?? null) : null,
    };
  }
}

/** `ALTER TABLE … ADD COLUMN` for each column the table lacks (tables made by an older version of this code). */
function addMissingColumns(sql: SqlStorage, table: string, columns: Record<string, string>): void {
  const present = new Set(sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).toArray().map((r) => r.name));
  for (const [name, definition] of Object.entries(columns)) {
    if (!present.has(name)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${definition}`);
  }
}
