import { TOKENS_PER_MESSAGE, reservationCredits } from "../cost";
import type { EnrichmentRun, LlmRun, RunModel } from "./run-spec";

/**
 * Upper bounds of what each task's prompt can hold, in bytes (a byte-level tokenizer never makes more tokens than
 * bytes), so a job can reserve the most it could cost before any call. The prompts are built to stay inside them:
 * entity data is cut to the size measured at creation, grounding and arbitration context to their budgets.
 */
export const PROMPT_BUDGET = {
  /** A system prompt and the user message's fixed text, the schema excluded. */
  system: 4096,
  /** What a job's grounding (integration results, stored fields) may add to a model's prompt. */
  grounding: 16 * 1024,
  /** The candidates of an arbitration call. */
  arbitrationCandidates: 32 * 1024,
  /** The output schemas of classification, arbitration and the schema jobs (fixed or bounded by the paths). */
  fixedSchema: 16 * 1024,
} as const;

/** A schema may reach a provider up to three times its own size: converted to a dialect, and described in the prompt. */
const SCHEMA_FACTOR = 3;

const call = (model: RunModel, bytes: number) => ({ inputTokens: bytes + 2 * TOKENS_PER_MESSAGE, maxOutputTokens: model.maxOutputTokens, price: model.price });

/** The most a model task may charge: one call per domain (multi_expertise) or one call, each with a repair attempt. */
export function modelTaskBound(run: EnrichmentRun, model: RunModel, entityBytes: number, creditValueUsd: string): number {
  const context = PROMPT_BUDGET.system + entityBytes + (run.grounding ? PROMPT_BUDGET.grounding : 0);
  const parts = run.choice.strategy === "multi_expertise" ? run.domains.map((d) => d.schemaBytes) : [run.schemaBytes];
  return reservationCredits(
    parts.map((bytes) => call(model, context + SCHEMA_FACTOR * bytes)),
    creditValueUsd,
  );
}

/** One call with a fixed output schema over the entity (classification) or bounded context (arbitration, schema jobs). */
export function fixedCallBound(model: RunModel, contextBytes: number, creditValueUsd: string): number {
  return reservationCredits([call(model, PROMPT_BUDGET.system + contextBytes + SCHEMA_FACTOR * PROMPT_BUDGET.fixedSchema)], creditValueUsd);
}

/** The bound of an arbitration over one entity: its data and the candidates' budget. */
export const arbitrationBound = (model: RunModel, entityBytes: number, creditValueUsd: string) =>
  fixedCallBound(model, entityBytes + PROMPT_BUDGET.arbitrationCandidates, creditValueUsd);

/** The one task of a schema or fusion job. */
export function singleTaskBound(run: Exclude<LlmRun, EnrichmentRun>, creditValueUsd: string): number {
  if (run.mode === "fusion") return arbitrationBound(run.arbitration, run.requestBytes, creditValueUsd);
  return fixedCallBound(run.model, run.requestBytes, creditValueUsd);
}
