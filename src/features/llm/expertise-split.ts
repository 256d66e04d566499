import { MAX_WALK_DEPTH, mainType, propertiesOf, requiredOf } from "../../providers/llm/schema-map";
import type { JsonSchema } from "../../providers/llm/types";
import { getPath, type SchemaLeaf, schemaLeaves, setPath } from "./schema-leaves";

export const GENERAL_DOMAIN = "general";

export interface ExpertiseDomain {
  name: string;
  description?: string;
}

export interface DomainPart {
  key: string;
  name: string;
  description?: string;
  /** The schema cut down to this domain's fields plus every identifying field. */
  jsonSchema: JsonSchema;
  /** The leaf paths this domain answers for (identifying fields belong to their own domain only). */
  owns: string[];
}

/** Keeps the leaves whose paths are in `keep`, with their ancestors; `required` lists follow. */
function prune(node: JsonSchema, prefix: string[], keep: Set<string>): JsonSchema | undefined {
  if (prefix.length > MAX_WALK_DEPTH) return undefined;
  const props = propertiesOf(node);
  if (mainType(node) !== "object" || props.length === 0) return keep.has(prefix.join(".")) ? node : undefined;
  const kept: [string, JsonSchema][] = [];
  for (const [key, child] of props) {
    const pruned = prune(child, [...prefix, key], keep);
    if (pruned) kept.push([key, pruned]);
  }
  if (kept.length === 0) return undefined;
  const names = new Set(kept.map(([k]) => k));
  const required = requiredOf(node).filter((r) => names.has(r));
  const { required: _r, properties: _p, ...rest } = node;
  return { ...rest, properties: Object.fromEntries(kept), ...(required.length ? { required } : {}) };
}

const domainOf = (leaf: SchemaLeaf, domains: Record<string, ExpertiseDomain>) =>
  leaf.expertise !== undefined && leaf.expertise in domains ? leaf.expertise : GENERAL_DOMAIN;

/**
 * For `multi_expertise`: one sub-schema per expertise domain that has fields (schema order of `expertiseDomains`,
 * then "general" for fields without one). A leaf's domain is its own `expertise` or its nearest ancestor's.
 * Identifying fields go into every part, so each call knows which entity it is about.
 */
export function splitByExpertise(schema: JsonSchema, domains: Record<string, ExpertiseDomain>): DomainPart[] {
  const leaves = schemaLeaves(schema);
  const identifying = leaves.filter((l) => l.identifying).map((l) => l.path);
  const order = [...Object.keys(domains), GENERAL_DOMAIN];
  const parts: DomainPart[] = [];
  for (const key of order) {
    const owns = leaves.filter((l) => domainOf(l, domains) === key).map((l) => l.path);
    if (owns.length === 0) continue;
    const jsonSchema = prune(schema, [], new Set([...owns, ...identifying]));
    if (!jsonSchema) continue;
    const d = domains[key];
    parts.push({ key, name: d?.name ?? "General", ...(d?.description ? { description: d.description } : {}), jsonSchema, owns });
  }
  return parts;
}

/** One model's record from its domain answers: each field taken from the domain that owns it (absent if it failed). */
export function mergeDomainOutputs(parts: DomainPart[], outputs: Partial<Record<string, Record<string, unknown>>>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const part of parts) {
    const output = outputs[part.key];
    if (!output) continue;
    for (const path of part.owns) {
      const segments = path.split(".");
      const value = getPath(output, segments);
      if (value !== undefined) setPath(merged, segments, value);
    }
  }
  return merged;
}

export type Strategy = "single_pass" | "multi_expertise";

export interface StrategyChoice {
  requested: "auto" | Strategy;
  strategy: Strategy;
  reason: string;
  signals: { domains: number; leafFields: number };
}

/** `auto` switches to multi_expertise above this many leaf fields (with two or more domains). */
export const AUTO_MULTI_EXPERTISE_LEAVES = 25;

/**
 * The strategy for a schema: an explicit one is kept unless the schema cannot use it (multi_expertise with fewer
 * than two domains); `auto` picks single_pass for one domain or ≤ 25 leaf fields, else multi_expertise.
 */
export function chooseStrategy(requested: "auto" | Strategy, schema: JsonSchema, domains: Record<string, ExpertiseDomain>): StrategyChoice {
  const parts = splitByExpertise(schema, domains);
  const signals = { domains: parts.length, leafFields: schemaLeaves(schema).length };
  const choice = (strategy: Strategy, reason: string): StrategyChoice => ({ requested, strategy, reason, signals });
  if (requested === "single_pass") return choice("single_pass", "single_pass was requested");
  if (signals.domains < 2) {
    return choice("single_pass", `The schema's fields fall in ${signals.domains} expertise domain${signals.domains === 1 ? "" : "s"}, so one call covers them`);
  }
  if (requested === "multi_expertise") return choice("multi_expertise", `multi_expertise was requested; ${signals.domains} domains, one call each`);
  if (signals.leafFields <= AUTO_MULTI_EXPERTISE_LEAVES) {
    return choice("single_pass", `${signals.leafFields} fields (at most ${AUTO_MULTI_EXPERTISE_LEAVES}) fit one call, although they span ${signals.domains} domains`);
  }
  return choice("multi_expertise", `${signals.leafFields} fields over ${signals.domains} expertise domains: one focused call per domain`);
}
