import type { LlmRecordType } from "../../../db/schema/llm";
import type { LlmUsage } from "../../../providers/llm/types";
import { callCostPico, costFigures, creditsFor } from "../cost";
import type { NewRecord } from "../records/record-store";
import type { CallOutcome, Exchange } from "./call-model";
import type { RunModel } from "./run-spec";

export interface RecordBase {
  orgId: string;
  type: LlmRecordType;
  jobId: string | null;
  /** Unique per job task and record role; null outside jobs (a rule-based fusion on demand). */
  taskKey: string | null;
  entityIndex?: number | null;
  entityId?: string | null;
  schemaId?: string | null;
  schemaVersion?: number | null;
  strategy?: string | null;
  /** The model key when the record has no RunModel of its own (a lost task's). */
  model?: string | null;
}

/** What a record's calls cost: all their usage counts in the cost, only the successful calls' in the credits. */
export interface RecordMoney {
  model: RunModel | null;
  usage: LlmUsage;
  chargeableUsage: LlmUsage;
  success: boolean;
  /** The most credits it may be charged (its share of the job's reservation). */
  capCredits: number;
  creditValueUsd: string;
}

/** Cost in pico-USD exactly; credits rounded up once for the record, never above its cap, and 0 unless it succeeded. */
export function moneyColumns(m: RecordMoney) {
  const pico = m.model ? callCostPico(m.usage, m.model.price) : 0n;
  const chargeable = m.model && m.success ? callCostPico(m.chargeableUsage, m.model.price) : 0n;
  const { costPicoUsd, costMicroUsd } = costFigures(pico);
  return { costPicoUsd, costMicroUsd, credits: m.success ? Math.min(m.capCredits, creditsFor(chargeable, m.creditValueUsd)) : 0 };
}

export const usageColumns = (u: LlmUsage) => ({
  inputTokens: u.inputTokens,
  cachedInputTokens: u.cachedInputTokens,
  cacheWriteTokens: u.cacheWriteTokens,
  outputTokens: u.outputTokens,
  reasoningTokens: u.reasoningTokens,
  usageEstimated: u.estimated === true,
});

export interface RecordBody {
  success: boolean;
  partialSuccess?: boolean;
  output?: Record<string, unknown> | null;
  fields?: unknown[] | null;
  conflictReport?: Record<string, unknown> | null;
  sourceRecordIds?: string[] | null;
  details?: Record<string, unknown> | null;
  prompts: (Exchange | Record<string, unknown>)[];
  validationErrors?: unknown[];
  error?: { code: string; message: string; [k: string]: unknown } | null;
  durationMs: number;
}

/** A new record (fresh id) for a write: base, money and body together. */
export function newRecord(base: RecordBase, money: RecordMoney, body: RecordBody): NewRecord {
  return {
    id: crypto.randomUUID(),
    orgId: base.orgId,
    type: base.type,
    jobId: base.jobId,
    taskKey: base.taskKey,
    entityIndex: base.entityIndex ?? null,
    entityId: base.entityId || null,
    schemaId: base.schemaId ?? null,
    schemaVersion: base.schemaVersion ?? null,
    model: money.model?.key ?? base.model ?? null,
    strategy: base.strategy ?? null,
    success: body.success,
    partialSuccess: body.partialSuccess ?? false,
    output: body.output ?? null,
    fields: body.fields ?? null,
    conflictReport: body.conflictReport ?? null,
    sourceRecordIds: body.sourceRecordIds ?? null,
    details: body.details ?? null,
    ...usageColumns(money.usage),
    ...moneyColumns(money),
    durationMs: body.durationMs,
    prompts: body.prompts,
    validationErrors: body.validationErrors ?? [],
    error: body.error ?? null,
    createdAt: new Date().toISOString(),
  };
}

/** The record of one call's outcome (classification, arbitration, schema jobs). */
export function callRecord(base: RecordBase, model: RunModel | null, outcome: CallOutcome, capCredits: number, creditValueUsd: string, body: Omit<RecordBody, "prompts" | "durationMs" | "success"> & { success?: boolean }) {
  const success = body.success ?? outcome.ok;
  return newRecord(
    base,
    { model, usage: outcome.usage, chargeableUsage: outcome.chargeableUsage, success, capCredits, creditValueUsd },
    {
      ...body,
      success,
      prompts: outcome.exchanges,
      durationMs: outcome.durationMs,
      validationErrors: body.validationErrors ?? (outcome.ok ? [] : outcome.error.validationErrors),
      error: body.error !== undefined ? body.error : outcome.ok ? null : outcome.error.toJSON(),
    },
  );
}
