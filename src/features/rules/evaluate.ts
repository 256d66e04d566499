import { Engine } from "json-rules-engine";
import type { NestedCondition, RuleProperties, RuleResult, TopLevelCondition } from "json-rules-engine";
import type { RuleCondition, RuleLeaf, TraceNode } from "../../db/schema/rules";
import { resolvePath } from "./fact-paths";
import { operators } from "./operators";

/**
 * Evaluation, pure: Dossier's conditions are translated to json-rules-engine's, run against a facts document, and
 * each condition's result is read back as a trace. The library only walks the boolean tree and calls Dossier's own
 * operators; paths go through `resolvePath` (plain dot paths), so its JSONPath evaluator is never used.
 */

/** The facts a rule sees: `entity`, the event's `results` by integration code, and the `event` itself. */
export interface Facts {
  entity: Record<string, unknown>;
  results: Record<string, unknown>;
  event: Record<string, unknown>;
}

export interface EvaluableRule {
  id: string;
  priority: number;
  conditions: RuleCondition;
}

export interface Verdict {
  matched: boolean;
  trace: TraceNode;
}

const isLeaf = (c: RuleCondition): c is RuleLeaf => "fact" in c;

function toEngineCondition(c: RuleCondition): NestedCondition {
  if ("all" in c) return { all: c.all.map(toEngineCondition) };
  if ("any" in c) return { any: c.any.map(toEngineCondition) };
  if ("not" in c) return { not: toEngineCondition(c.not) };
  const dot = c.fact.indexOf(".");
  const operator = c.quantifier === "any" ? `someFact:${c.operator}` : c.operator;
  return { fact: c.fact.slice(0, dot), path: c.fact.slice(dot + 1), operator, value: c.value ?? (c.operator === "exists" ? true : null) };
}

/** json-rules-engine wants a boolean node at the top; a lone leaf is wrapped in `all` and unwrapped in the trace. */
const topLevel = (c: RuleCondition): TopLevelCondition => (isLeaf(c) ? { all: [toEngineCondition(c)] } : (toEngineCondition(c) as TopLevelCondition));

const MAX_ACTUAL_ITEMS = 20;
const MAX_ACTUAL_CHARS = 500;
const MAX_ACTUAL_JSON = 2000;

/** What the trace shows of a fact's value: small values whole, long lists and strings cut, big objects summarized. */
export function boundedActual(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "string") return value.length > MAX_ACTUAL_CHARS ? `${value.slice(0, MAX_ACTUAL_CHARS)}…` : value;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ACTUAL_ITEMS).map(boundedActual);
    return value.length > MAX_ACTUAL_ITEMS ? [...items, `… ${value.length - MAX_ACTUAL_ITEMS} more`] : items;
  }
  if (typeof value === "object" && value !== null) {
    const json = JSON.stringify(value);
    return json.length > MAX_ACTUAL_JSON ? `(an object of ${json.length} characters)` : value;
  }
  return value;
}

type Annotated = { result?: boolean; factResult?: unknown; all?: Annotated[]; any?: Annotated[]; not?: Annotated };

function traceOf(c: RuleCondition, node: Annotated | undefined): TraceNode {
  const result = node?.result === true;
  if ("all" in c) return { all: c.all.map((child, i) => traceOf(child, node?.all?.[i])), result };
  if ("any" in c) return { any: c.any.map((child, i) => traceOf(child, node?.any?.[i])), result };
  if ("not" in c) return { not: traceOf(c.not, node?.not), result };
  return { ...c, actual: boundedActual(node?.factResult), result };
}

function verdictOf(rule: EvaluableRule, outcome: RuleResult | undefined): Verdict {
  const matched = outcome?.result === true;
  const conditions = outcome?.conditions as Annotated | undefined;
  // The engine keeps the top node's result on the rule result, not on the node.
  const node = isLeaf(rule.conditions) ? conditions?.all?.[0] : conditions && { ...conditions, result: matched };
  return { matched, trace: traceOf(rule.conditions, node) };
}

function newEngine(rules: EvaluableRule[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, allowUndefinedConditions: false, pathResolver: resolvePath });
  for (const [name, evaluate] of Object.entries(operators)) engine.addOperator(name, evaluate);
  for (const rule of rules) {
    const properties: RuleProperties = { name: rule.id, priority: Math.max(1, rule.priority), conditions: topLevel(rule.conditions), event: { type: rule.id } };
    engine.addRule(properties);
  }
  return engine;
}

/** Every rule against the same facts, in one run of one engine; the verdicts by rule id. */
export async function evaluateRules(rules: EvaluableRule[], facts: Facts): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  if (rules.length === 0) return verdicts;
  const { results, failureResults } = await newEngine(rules).run({ entity: facts.entity, results: facts.results, event: facts.event });
  const outcomes = new Map([...results, ...failureResults].map((r) => [r.name, r]));
  for (const rule of rules) verdicts.set(rule.id, verdictOf(rule, outcomes.get(rule.id)));
  return verdicts;
}
