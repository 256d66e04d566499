import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { enrichments } from "../db/schema/enrichment";
import type { EnrichedField } from "../db/schema/tenancy";
import { prepared, runStatements } from "../db/statements";
import { persistStatements } from "../enrichment/persist";
import { type EnrichmentResult, publicResult } from "../enrichment/result";
import type { TaskResult } from "./job-types";

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
  if (results.length === 0) return [];
  const keys = results.map((r) => taskKeyOf(task, r.integrationCode));
  const outcome = await runStatements(db, [
    ...persistStatements(db, {
      orgId: task.orgId,
      entityId: task.entityId,
      entityEnriched,
      results,
      actorKeyId: task.actorKeyId,
      jobId: task.jobId,
      taskKeyOf: (r) => taskKeyOf(task, r.integrationCode),
    }),
    prepared(db, db.select().from(enrichments).where(inArray(enrichments.taskKey, keys))),
  ]);
  const stored = (outcome[outcome.length - 1]?.results ?? []) as Record<string, unknown>[];
  const byCode = new Map(stored.map((raw) => [String(raw.integration_code), rowOf(raw)]));
  return results.map((r) => {
    const row = byCode.get(r.integrationCode);
    return row ? storedResult(row, r) : publicResult(r);
  });
}

/** A raw D1 row (snake_case, JSON as text) in drizzle's shape. */
function rowOf(raw: Record<string, unknown>): EnrichmentRow {
  const json = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as Record<string, unknown>) : null);
  return {
    id: String(raw.id),
    orgId: String(raw.org_id),
    entityId: String(raw.entity_id),
    integrationCode: String(raw.integration_code),
    status: raw.status as EnrichmentRow["status"],
    cached: Boolean(raw.cached),
    globalEnrichmentId: (raw.global_enrichment_id as string | null) ?? null,
    executionTimeMs: Number(raw.execution_time_ms),
    costCents: Number(raw.cost_cents),
    credits: Number(raw.credits),
    result: json(raw.result),
    error: json(raw.error),
    jobId: (raw.job_id as string | null) ?? null,
    taskKey: (raw.task_key as string | null) ?? null,
    createdAt: String(raw.created_at),
  };
}
