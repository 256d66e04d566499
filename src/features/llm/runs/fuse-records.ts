import { ZERO_USAGE } from "../../../providers/llm/client";
import { validateOutput } from "../../../providers/llm/output-validation";
import type { JsonSchema } from "../../../providers/llm/types";
import { type ArbitrationDecision, applyArbitration, buildArbitrationRequest } from "../arbitration";
import { type FusedField, type FusionResult, fuse, summarize } from "../fusion";
import type { NewRecord, RecordRow } from "../records/record-store";
import { type CallContext, type CallOutcome, callWithRetry } from "./call-model";
import { arbitrationPrompt, withinBudget } from "./prompts";
import { callRecord, newRecord, type RecordBase } from "./record-of";
import type { RunModel } from "./run-spec";

export interface FusionOutcome {
  fusion: FusionResult;
  /** The arbitration call's record, when one was made. */
  arbitration: NewRecord | null;
  arbitrationSummary: { conflictCount: number; success: boolean; fallbackToRuleBased: boolean } | null;
  validationWarnings: { path: string; message: string }[];
}

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).byteLength;

/** A validation error's place as a field path: `/hq/city` → `hq.city`; array indices belong to their array field. */
const fieldPathOf = (pointer: string) =>
  pointer
    .split("/")
    .filter((s) => s !== "" && !/^\d+$/.test(s))
    .join(".");

/**
 * A field whose value breaks the schema gets the next candidate that does not, else no value (with a warning);
 * what no field can fix (a required field nobody answered) is a warning too.
 */
function validated(schema: JsonSchema, fusion: FusionResult): { fusion: FusionResult; warnings: { path: string; message: string }[] } {
  const errors = validateOutput(fusion.output, schema);
  if (errors.length === 0) return { fusion, warnings: [] };
  const paths = new Set(fusion.fields.map((f) => f.path));
  const bad = new Set(errors.map((e) => fieldPathOf(e.instancePath)));
  const warnings = errors.filter((e) => !paths.has(fieldPathOf(e.instancePath))).map((e) => ({ path: fieldPathOf(e.instancePath) || "(root)", message: e.message }));
  const fitsWith = (field: FusedField, value: unknown) => {
    const output = summarize(fusion.fields.map((f) => (f.path === field.path ? { ...f, value } : f))).output;
    return !validateOutput(output, schema).some((e) => fieldPathOf(e.instancePath) === field.path);
  };
  const fields = fusion.fields.map((f): FusedField => {
    if (!bad.has(f.path)) return f;
    const alternative = f.candidates.find((c) => c.value !== f.value && fitsWith(f, c.value));
    warnings.push({ path: f.path, message: alternative ? "The fused value broke the schema; the next candidate was taken" : "The fused value broke the schema and was dropped" });
    return alternative ? { ...f, value: alternative.value, agreedModels: alternative.models } : { ...f, value: null, status: "no_data", confidence: 0 };
  });
  return { fusion: summarize(fields), warnings };
}

/**
 * Fuses model records of one entity (rule-based, deterministic), then, with an arbiter, sends only the conflicted
 * fields to one call (candidates anonymized and shuffled, within the candidates' budget) and applies its decisions. If
 * that call fails the rule-based values stand. The fused output is validated against the schema last.
 */
export async function fuseRecords(
  ctx: CallContext | null,
  input: {
    schema: JsonSchema;
    records: RecordRow[];
    modelOrder: string[];
    entity: unknown;
    arbitration: RunModel | null;
    arbitrationBase: RecordBase;
    capCredits: number;
    creditValueUsd: string;
  },
): Promise<FusionOutcome> {
  const sources = input.records.map((r) => ({ model: r.model ?? r.id, recordId: r.id, output: r.output ?? {} }));
  let fusion = fuse(input.schema, sources, { modelOrder: input.modelOrder });
  let arbitration: NewRecord | null = null;
  let summary: FusionOutcome["arbitrationSummary"] = null;
  const conflicted = fusion.fields.filter((f) => f.status === "conflicted" && !f.translationOnly && f.candidates.length > 1);
  if (ctx && input.arbitration && conflicted.length > 0) {
    const request = buildArbitrationRequest(input.schema, fusion, input.entity);
    const fields = withinBudget(request.data.fields, bytes);
    const labels = Object.fromEntries(fields.map((f) => [f.path, request.labels[f.path] ?? {}]));
    const prompt = arbitrationPrompt(request.system, { ...request.data, fields });
    const outcome: CallOutcome = await callWithRetry(ctx, input.arbitration, { ...prompt, jsonSchema: request.outputSchema, schemaName: "field_arbitration", temperature: 0 });
    const decisions = outcome.ok && Array.isArray(outcome.result.json.decisions) ? (outcome.result.json.decisions as ArbitrationDecision[]) : [];
    if (outcome.ok) fusion = applyArbitration(input.schema, fusion, { labels }, decisions);
    const ignored = outcome.ok ? decisions.filter((d) => !(d.path in labels)).length : 0;
    arbitration = callRecord(input.arbitrationBase, input.arbitration, outcome, input.capCredits, input.creditValueUsd, {
      output: outcome.ok ? { decisions } : null,
      sourceRecordIds: input.records.map((r) => r.id),
      details: { conflictCount: conflicted.length, sentFields: fields.length, ignoredDecisions: ignored, labels },
    });
    summary = { conflictCount: conflicted.length, success: outcome.ok, fallbackToRuleBased: !outcome.ok };
  }
  const checked = validated(input.schema, fusion);
  return { fusion: checked.fusion, arbitration, arbitrationSummary: summary, validationWarnings: checked.warnings };
}

/** The fusion record: no call of its own (cost 0), the fused output with each field's provenance. */
export function fusionRecord(base: RecordBase, outcome: FusionOutcome, sourceIds: string[], details: Record<string, unknown>, durationMs: number): NewRecord {
  return newRecord(
    base,
    { model: null, usage: ZERO_USAGE, chargeableUsage: ZERO_USAGE, success: true, capCredits: 0, creditValueUsd: "1" },
    {
      success: true,
      output: outcome.fusion.output,
      fields: outcome.fusion.fields,
      conflictReport: { ...outcome.fusion.report },
      sourceRecordIds: sourceIds,
      details: {
        confidenceScore: outcome.fusion.confidenceScore,
        fusionMethod: outcome.arbitrationSummary?.success ? "llm" : "rule_based",
        arbitrationRecordId: outcome.arbitration?.id ?? null,
        validationWarnings: outcome.validationWarnings,
        ...details,
      },
      prompts: [],
      durationMs,
    },
  );
}
