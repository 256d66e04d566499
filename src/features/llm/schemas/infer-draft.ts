import type { JsonSchema } from "../../../providers/llm/types";
import { SCHEMA_LIMITS, type SchemaIssue } from "../schema-subset";

/** Samples sharing fewer of their top-level fields than this describe different things (Entity Enricher's 0.5). */
export const SAMPLE_COMMONALITY = 0.5;
const MAX_EXAMPLES = 3;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A sample's key as a property name of the subset (letters, digits, _; not starting with a digit). */
export function propertyName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "field";
  return (/^\d/.test(name) ? `_${name}` : name).slice(0, 64);
}

function formatOf(values: string[]): string | undefined {
  const all = (re: RegExp) => values.length > 0 && values.every((v) => re.test(v));
  if (all(/^\d{4}-\d{2}-\d{2}$/)) return "date";
  if (all(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/)) return "date-time";
  if (all(/^[^\s@]+@[^\s@]+\.[^\s@]+$/)) return "email";
  if (all(/^https?:\/\/\S+$/)) return "uri";
  return undefined;
}

interface Budget {
  properties: number;
}

/** The schema node for the values one key took across the samples (`missing` = absent or null in some sample). */
function nodeFor(values: unknown[], missing: boolean, depth: number, budget: Budget): JsonSchema {
  const present = values.filter((v) => v !== null && v !== undefined);
  const nullable = (type: string): JsonSchema["type"] => (missing && type !== "object" ? [type, "null"] : type);
  if (present.length > 0 && present.every(isObject) && depth < SCHEMA_LIMITS.maxDepth) return objectFor(present as Record<string, unknown>[], depth + 1, budget);
  if (present.length > 0 && present.every(Array.isArray)) {
    const items = (present as unknown[][]).flat();
    const itemNode = items.length > 0 ? nodeFor(items, false, depth + 1, budget) : { type: "string" };
    return { type: nullable("array"), items: itemNode };
  }
  if (present.length > 0 && present.every((v) => typeof v === "boolean")) return { type: nullable("boolean") };
  if (present.length > 0 && present.every((v) => typeof v === "number" && Number.isFinite(v))) {
    const type = present.every((v) => Number.isInteger(v)) ? "integer" : "number";
    return { type: nullable(type), examples: [...new Set(present)].slice(0, MAX_EXAMPLES) };
  }
  const strings = present.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  const format = formatOf(strings);
  const examples = [...new Set(strings.filter((s) => s.length <= 200))].slice(0, MAX_EXAMPLES);
  return { type: nullable("string"), ...(format ? { format } : {}), ...(examples.length ? { examples } : {}) };
}

/** An object node covering the union of the samples' keys; a key missing or null in any sample is optional and nullable. */
function objectFor(samples: Record<string, unknown>[], depth: number, budget: Budget): JsonSchema {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const key of keys) {
    if (budget.properties >= SCHEMA_LIMITS.maxProperties) break;
    const name = propertyName(key);
    if (name in properties) continue;
    budget.properties++;
    const values = samples.map((s) => s[key]);
    const missing = values.some((v) => v === undefined || v === null);
    properties[name] = nodeFor(values, missing, depth, budget);
    if (!missing) required.push(name);
  }
  return { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/**
 * A draft schema from sample objects, in code: the union of their fields, each typed from its values (integer vs
 * number, string formats sniffed), a field missing or null in any sample optional and nullable, distinct values as
 * examples. Samples that share fewer than half their top-level fields are refused (they describe different things).
 */
export function inferDraft(samples: Record<string, unknown>[]): { jsonSchema: JsonSchema; issues: SchemaIssue[] } {
  const keySets = samples.map((s) => new Set(Object.keys(s)));
  const union = new Set(keySets.flatMap((k) => [...k]));
  const shared = [...union].filter((k) => keySets.every((set) => set.has(k)));
  const issues: SchemaIssue[] = [];
  if (union.size === 0) issues.push({ path: "samples", message: "The samples have no fields", code: "empty" });
  else if (samples.length > 1 && shared.length / union.size < SAMPLE_COMMONALITY) {
    issues.push({ path: "samples", message: `The samples share ${shared.length} of ${union.size} fields; at least half must be common`, code: "samples_too_different" });
  }
  return { jsonSchema: objectFor(samples, 1, { properties: 0 }), issues };
}
