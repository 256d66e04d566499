import type { KindEvent, TaskRow } from "../../jobs";
import { type LlmJobSpec, type LlmTaskResult, taskRoleOf } from "./run-spec";

type Spec = Omit<LlmJobSpec, "entities">;

const money = (r: LlmTaskResult) => ({ usage: r.usage ?? null, costUsd: r.costUsd, credits: r.credits, durationMs: r.durationMs ?? null });

interface Breakdown {
  expertiseKey: string | null;
  expertiseName: string | null;
  success: boolean;
  usage: unknown;
  costUsd: number;
  durationMs: number;
  error: { code: string; message: string } | null;
}

function modelEvents(at: Record<string, unknown>, r: LlmTaskResult): KindEvent[] {
  const breakdown = Array.isArray(r.expertiseBreakdown) ? (r.expertiseBreakdown as Breakdown[]) : [];
  const expertise = breakdown.map(
    (b, i): KindEvent => ({
      type: "expertise_completed",
      data: {
        ...at,
        model: r.model,
        expertiseKey: b.expertiseKey,
        expertiseName: b.expertiseName,
        completedExpertises: i + 1,
        totalExpertises: breakdown.length,
        success: b.success,
        usage: b.usage,
        costUsd: b.costUsd,
        durationMs: b.durationMs,
        error: b.error,
      },
    }),
  );
  const completed: KindEvent = {
    type: "model_completed",
    data: { ...at, model: r.model, success: r.success, partialSuccess: r.partialSuccess === true, recordId: r.recordId, ...money(r), error: r.error ?? null },
  };
  return [...expertise, completed];
}

function fusionEvents(at: Record<string, unknown>, results: LlmTaskResult[]): KindEvent[] {
  const fused = results.find((r) => r.recordType === "fusion");
  const arbitration = results.find((r) => r.recordType === "arbitration");
  if (!fused) return [{ type: "fusion_completed", data: { ...at, success: false, recordId: null, reason: results[0]?.reason ?? results[0]?.error?.message ?? null } }];
  const report = (fused.conflictReport ?? {}) as Record<string, unknown>;
  const events: KindEvent[] = [
    { type: "conflicts_detected", data: { ...at, agreedFields: report.agreedFields, conflictedFields: (Number(report.conflictedFields) || 0) + (Number(report.arbitratedFields) || 0), totalFields: report.totalFields } },
  ];
  if (arbitration) {
    const summary = (fused.arbitration ?? {}) as Record<string, unknown>;
    events.push(
      { type: "arbitration_started", data: { ...at, arbitrationModel: arbitration.model, conflictCount: summary.conflictCount ?? null } },
      { type: "arbitration_completed", data: { ...at, arbitrationModel: arbitration.model, success: arbitration.success, fallbackToRuleBased: !arbitration.success, recordId: arbitration.recordId, ...money(arbitration), error: arbitration.error ?? null } },
    );
  }
  events.push({
    type: "fusion_completed",
    data: {
      ...at,
      success: fused.success,
      recordId: fused.recordId,
      sourceRecordIds: fused.sourceRecordIds ?? null,
      conflictReport: fused.conflictReport ?? null,
      confidenceScore: fused.confidenceScore ?? null,
      validationWarnings: fused.validationWarnings ?? [],
      costUsd: arbitration?.costUsd ?? 0,
    },
  });
  return events;
}

/** The stream's events for a task's results, by what the task did (Entity Enricher's event names). */
export function resultEvents(spec: Spec, task: TaskRow, results: LlmTaskResult[]): KindEvent[] {
  const at = { entity_index: task.entity_idx };
  const role = taskRoleOf(JSON.parse(task.codes) as string[]);
  const [first] = results;
  if (!first) return [];
  switch (role) {
    case "classify": {
      const events: KindEvent[] = [
        { type: "classification_completed", data: { ...at, model: first.model, success: first.success, classification: first.classification ?? null, recordId: first.recordId, ...money(first), error: first.error ?? null } },
      ];
      if (first.paused) events.push({ type: "classification_mismatch_pause", data: { ...at, classification: first.classification, timeoutSeconds: first.timeoutSeconds } });
      return events;
    }
    case "ground":
      return [{ type: "grounding_completed", data: { ...at, success: first.success, credits: first.credits, integrations: first.integrations ?? [] } }];
    case "model":
      return modelEvents(at, first);
    case "fuse":
    case "fusion":
      return fusionEvents(at, results);
    case "schema": {
      const events: KindEvent[] = [{ type: "model_completed", data: { ...at, model: first.model, success: first.success, recordId: first.recordId, ...money(first), error: first.error ?? null } }];
      const saved = first.saved as { schemaId: string; version: number } | null;
      if (first.success && saved) events.push({ type: spec.run.mode === "schema_edit" ? "schema_edit_applied" : "schema_saved", data: { ...at, ...saved, operations: first.operations ?? null } });
      if (!first.success) events.push({ type: "error", data: { ...at, code: first.error?.code ?? "LLM_OUTPUT_INVALID", message: first.error?.message ?? "", issues: first.issues ?? [] } });
      return events;
    }
  }
}
