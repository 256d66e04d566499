import { DATA_RULE, delimitData, newBoundary } from "../../../providers/llm/delimit";
import type { JsonSchema } from "../../../providers/llm/types";
import { PROMPT_BUDGET } from "./bounds";

/**
 * The prompts of every LLM task. Entity data, fetched results and samples are data, never instructions: they go in
 * delimited blocks (a fresh random boundary per prompt) and each system prompt says so. The fixed text of every
 * prompt stays well inside PROMPT_BUDGET.system, which the job's reservation counts on.
 */

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export interface EnrichmentPrompt {
  entityType: string | null;
  languages: string[];
  /** multi_expertise: the domain this call covers. */
  domain?: { name: string; description?: string };
  entity: unknown;
  grounding?: unknown;
}

export function enrichmentPrompt(p: EnrichmentPrompt): { system: string; user: string } {
  const lines = [
    "You are a meticulous research analyst. Fill the JSON schema with facts about the one entity described in the data below.",
    DATA_RULE,
    "Answer with one JSON object that conforms to the schema. Use null for anything you do not know: never guess or invent.",
  ];
  if (p.entityType) lines.push(`The entity is expected to be: ${clip(p.entityType, 200)}.`);
  if (p.languages.length > 0) {
    lines.push(`Multilingual fields hold one value per language code (${p.languages.join(", ")}); the first, ${p.languages[0]}, is the primary language.`);
  }
  if (p.domain) {
    lines.push(`This call covers one area of expertise only: ${clip(p.domain.name, 200)}${p.domain.description ? ` (${clip(p.domain.description, 500)})` : ""}. The identifying fields are there so you know which entity it is.`);
  }
  if (p.grounding !== undefined) lines.push("Prefer what the known-facts block says, where it answers a field; it comes from Dossier's own sources.");
  const boundary = newBoundary();
  const user = [delimitData("The entity:", p.entity, boundary)];
  if (p.grounding !== undefined) user.push(delimitData("Known facts about it (stored fields and integration results):", p.grounding, boundary));
  user.push("Fill the schema for this entity.");
  return { system: lines.join("\n"), user: user.join("\n\n") };
}

export const CLASSIFICATION_STATUSES = ["match", "mismatch", "ambiguous", "unknown"] as const;
export type ClassificationStatus = (typeof CLASSIFICATION_STATUSES)[number];

export const CLASSIFICATION_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    status: { type: "string", enum: [...CLASSIFICATION_STATUSES], description: "match: the entity is of the expected type; mismatch: it clearly is not; ambiguous: it could be; unknown: the data says too little" },
    confidence: { type: "number", minimum: 0, maximum: 1 },
    entityDescription: { type: "string", description: "What the entity appears to be, in one sentence" },
    reasoning: { type: "string" },
    alternativeInterpretations: { type: "array", items: { type: "string" } },
  },
  required: ["status", "confidence", "entityDescription", "reasoning", "alternativeInterpretations"],
  additionalProperties: false,
};

export function classificationPrompt(expectedType: string, entity: unknown): { system: string; user: string } {
  return {
    system: [
      "You check, before any research, whether an entity is of the type a research schema expects.",
      DATA_RULE,
      "Judge only from the data given. Answer with one JSON object that conforms to the schema.",
    ].join("\n"),
    user: `Expected type: ${clip(expectedType, 200)}\n\n${delimitData("The entity:", entity, newBoundary())}`,
  };
}

export function arbitrationPrompt(system: string, data: unknown): { system: string; user: string } {
  return { system, user: `${delimitData("The entity and, per field, the candidate values:", data, newBoundary())}\n\nDecide each field.` };
}

/** Keeps the candidates of an arbitration within their budget: later fields are left to the rule-based value. */
export function withinBudget<T>(items: T[], size: (item: T) => number, budget = PROMPT_BUDGET.arbitrationCandidates): T[] {
  const kept: T[] = [];
  let used = 0;
  for (const item of items) {
    const n = size(item);
    if (used + n > budget) break;
    kept.push(item);
    used += n;
  }
  return kept;
}
