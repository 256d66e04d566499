import type { EntityDirective } from "../../jobs";
import type { RecordRow } from "../records/record-store";
import type { LlmTaskMessage, LlmTaskResult, TaskRole } from "./run-spec";

/** One record per (job task, role), however often the task runs. */
export const taskKeyOf = (message: Pick<LlmTaskMessage, "jobId" | "taskId">, part?: string) => `llm:${message.jobId}:${message.taskId}${part ? `:${part}` : ""}`;

/** What a finished task reports: its results, and what the kind decided about the rest of the entity. */
export interface FinishedTask {
  results: LlmTaskResult[];
  next?: EntityDirective;
}

const usageOf = (r: RecordRow) => ({
  inputTokens: r.inputTokens,
  cachedInputTokens: r.cachedInputTokens,
  outputTokens: r.outputTokens,
  reasoningTokens: r.reasoningTokens,
});

/** A stored record as the job counts and streams it. */
export function resultOf(role: TaskRole, record: RecordRow, extra: Record<string, unknown> = {}): LlmTaskResult {
  const error = record.error && typeof record.error.code === "string" ? { code: record.error.code, message: String(record.error.message ?? "") } : undefined;
  return {
    success: record.success,
    credits: record.success ? record.credits : 0,
    costCents: Math.round(record.costMicroUsd / 10_000),
    role,
    recordId: record.id,
    model: record.model,
    costUsd: record.costMicroUsd / 1_000_000,
    usage: usageOf(record),
    durationMs: record.durationMs,
    ...(error ? { error } : {}),
    ...extra,
  };
}

/** A task that made no record (nothing to fuse, an entity that no longer exists). */
export function noRecordResult(role: TaskRole, success: boolean, extra: Record<string, unknown> = {}, error?: { code: string; message: string }): LlmTaskResult {
  return { success, credits: 0, costCents: 0, role, recordId: null, model: null, costUsd: 0, ...(error ? { error } : {}), ...extra };
}
