import { inArray } from "drizzle-orm";
import type { Db } from "../../../platform/db/client";
import { decodeRow } from "../../../platform/db/decode-row";
import { enrichments } from "../../../db/schema/enrichment";
import type { EnrichedField } from "../../../db/schema/entities";
import { IN_LIST_LIMIT, prepared, runStatements } from "../../../platform/db/statements";
import { persistStatements } from "../../enrichment";
import { type EnrichmentResult, publicResult } from "../../enrichment";
import type { IntegrationTaskResult as TaskResult } from "./spec";
import { chunks } from "../../../platform/lib/chunks";

export interface TaskRef {
  orgId: string;
  jobId: string;
  entityId: string;
  entityIndex: number;
  actorKeyId: string | null;
}

/** One enrichment record per (job, entity, integration), however often the task runs. */
export const taskKeyOf = (task: Pick<TaskRef, "jobId" | "entityIndex">, integrationCode: string) =>
  `job:${task.jobId}:${task.entityIndex}:${integrationCode}`;

type EnrichmentRow = typeof enrichments.$inferSelect;

function storedResult(row: EnrichmentRow, ran: EnrichmentResult | undefined): TaskResult {
  if (ran && ran.enrichmentId === row.id) return publicResult(ran);
  return {
    success: row.status === "succeeded",
    status: row.status,
    enrichmentId: row.id,
    integrationCode: row.integrationCode,
    integrationName: ran?.integrationName ?? row.integrationCode,
    cached: row.cached,
    ...(row.globalEnrichmentId ? { globalEnrichmentId: row.globalEnrichmentId } : {}),
    executionTime: row.executionTimeMs,
    costCents: row.costCents,
    credits: row.credits,
    attempts: ran?.attempts ?? 0,
    ...(row.result ? { result: row.result as TaskResult["result"] } : {}),
    ...(row.error ? { error: row.error as unknown as TaskResult["error"] } : {}),
    createdAt: row.createdAt,
  };
}

/** One task's results, to be recorded against its entity. */
export interface TaskToRecord {
  task: TaskRef;
  entityEnriched: Record<string, EnrichedField>;
  results: EnrichmentResult[];
}

/**
 * Records a task's results (records, charges, entity fields, audit) in one D1 batch and answers what D1 holds.
 * Record ids are fresh per run while the task key is unique, so a repeated run inserts nothing and — because a
 * charge needs its own record to exist — charges nothing; the answer is then the first run's stored outcome,
 * which is what the job must count.
 */
export async function recordTaskResults(
  db: Db,
  task: TaskRef,
  entityEnriched: Record<string, EnrichedField>,
  results: EnrichmentResult[],
): Promise<TaskResult[]> {
  return (await recordTasks(db, [{ task, entityEnriched, results }]))[0] ?? [];
}

/**
 * Several tasks at once, in ONE D1 batch (all land or none): the same statements as one task each, except that
 * tasks of the same entity share one update of its fields (so the confidence rule sees all of them) and one
 * audit row. Answers each task's results as D1 holds them, in input order.
 */
export async function recordTasks(db: Db, tasks: TaskToRecord[]): Promise<TaskResult[][]> {
  const byEntity = new Map<string, TaskToRecord[]>();
  for (const t of tasks) {
    if (t.results.length === 0) continue;
    const key = `${t.task.jobId}|${t.task.entityIndex}`;
    byEntity.set(key, [...(byEntity.get(key) ?? []), t]);
  }
  if (byEntity.size === 0) return tasks.map(() => []);
  const statements: D1PreparedStatement[] = [];
  for (const group of byEntity.values()) {
    const { task, entityEnriched } = group[0] as TaskToRecord;
    statements.push(
      ...persistStatements(db, {
        orgId: task.orgId,
        entityId: task.entityId,
        entityEnriched,
        results: group.flatMap((g) => g.results),
        actorKeyId: task.actorKeyId,
        jobId: task.jobId,
        taskKeyOf: (r) => taskKeyOf(task, r.integrationCode),
      }),
    );
  }
  const keys = tasks.flatMap((t) => t.results.map((r) => taskKeyOf(t.task, r.integrationCode)));
  const reads = chunks(keys, IN_LIST_LIMIT).map((chunk) => prepared(db, db.select().from(enrichments).where(inArray(enrichments.taskKey, chunk))));
  const outcome = await runStatements(db, [...statements, ...reads]);
  const stored = new Map<string, EnrichmentRow>();
  for (const read of outcome.slice(statements.length)) {
    for (const raw of (read.results ?? []) as Record<string, unknown>[]) stored.set(String(raw.task_key), decodeRow(enrichments, raw));
  }
  return tasks.map((t) =>
    t.results.map((r) => {
      const row = stored.get(taskKeyOf(t.task, r.integrationCode));
      return row ? storedResult(row, r) : publicResult(r);
    }),
  );
}
