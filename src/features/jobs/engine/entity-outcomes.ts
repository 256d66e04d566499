import type { EntityType } from "../../../domain/attributes";
import type { EntityOutcome, EntityRow, EntityStatus, JobCounts, JobEntity, TaskResult, TaskRow } from "./types";

/** The entity side of a job's storage: settling entities whose tasks have all ended, counts and result pages. */
export class EntityOutcomes {
  constructor(private readonly sql: SqlStorage) {}

  entity(idx: number): EntityRow | null {
    return this.sql.exec<EntityRow>("SELECT * FROM entities WHERE idx = ?", idx).toArray()[0] ?? null;
  }

  /** Settles the entity once all its tasks have ended; returns its outcome then, otherwise null. */
  settleEntity(idx: number): EntityOutcome | null {
    const entity = this.entity(idx);
    if (!entity || ["succeeded", "failed", "cancelled"].includes(entity.status)) return null;
    const tasks = this.sql.exec<TaskRow>("SELECT * FROM tasks WHERE entity_idx = ? ORDER BY position", idx).toArray();
    if (tasks.some((t) => t.status !== "done" && t.status !== "cancelled")) return null;
    const results = resultsOf(tasks);
    const status: EntityStatus = results.some((r) => r.success)
      ? "succeeded"
      : tasks.every((t) => t.status === "cancelled")
        ? "cancelled"
        : "failed";
    this.sql.exec("UPDATE entities SET status = ?, finished_at = ? WHERE idx = ?", status, new Date().toISOString(), idx);
    return { entityIndex: idx, entityId: entity.entity_id, externalId: entity.external_id, status, results };
  }

  /** Entities whose tasks were all cancelled before running. */
  settleAll(): EntityOutcome[] {
    const open = this.sql
      .exec<{ idx: number }>("SELECT idx FROM entities WHERE status IN ('pending', 'running') ORDER BY idx")
      .toArray();
    return open.map((e) => this.settleEntity(e.idx)).filter((o): o is EntityOutcome => o !== null);
  }

  entitiesWithStatus(status: EntityStatus): JobEntity[] {
    return this.sql
      .exec<EntityRow & { type: EntityType }>("SELECT * FROM entities WHERE status = ? ORDER BY idx", status)
      .toArray()
      .map((e) => ({ entityId: e.entity_id, externalId: e.external_id, type: e.type }));
  }

  counts(): JobCounts {
    const rows = this.sql.exec<{ status: EntityStatus; n: number }>("SELECT status, count(*) AS n FROM entities GROUP BY status").toArray();
    const by = (s: EntityStatus) => rows.find((r) => r.status === s)?.n ?? 0;
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    return { total, queued: by("pending"), running: by("running"), succeeded: by("succeeded"), failed: by("failed"), cancelled: by("cancelled") };
  }

  /** Entities from `fromIndex` on, with their results so far. */
  page(fromIndex: number, limit: number, statuses?: EntityStatus[]): EntityOutcome[] {
    const filter = statuses?.length ? `AND status IN (${statuses.map(() => "?").join(", ")})` : "";
    const entities = this.sql
      .exec<EntityRow>(`SELECT * FROM entities WHERE idx >= ? ${filter} ORDER BY idx LIMIT ?`, fromIndex, ...(statuses ?? []), limit)
      .toArray();
    if (entities.length === 0) return [];
    const first = entities[0]?.idx ?? 0;
    const last = entities[entities.length - 1]?.idx ?? 0;
    const tasks = this.sql
      .exec<TaskRow & { position: number }>("SELECT * FROM tasks WHERE entity_idx BETWEEN ? AND ? ORDER BY entity_idx, position", first, last)
      .toArray();
    const byEntity = new Map<number, TaskRow[]>();
    for (const t of tasks) byEntity.set(t.entity_idx, [...(byEntity.get(t.entity_idx) ?? []), t]);
    return entities.map((e) => ({
      entityIndex: e.idx,
      entityId: e.entity_id,
      externalId: e.external_id,
      status: e.status,
      results: resultsOf(byEntity.get(e.idx) ?? []),
    }));
  }
}

export function resultsOf(tasks: TaskRow[]): TaskResult[] {
  return tasks.flatMap((t) => (t.results ? (JSON.parse(t.results) as TaskResult[]) : []));
}
