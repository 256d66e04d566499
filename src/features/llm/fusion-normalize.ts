import { isSchemaObject, mainType } from "../../providers/llm/schema-map";
import type { JsonSchema } from "../../providers/llm/types";

/** Values that say "no answer": they cast no vote. */
const ABSTAIN_WORDS = new Set(["", "n/a", "na", "unknown", "null", "not available", "not found"]);

export function isAbstention(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return ABSTAIN_WORDS.has(value.trim().toLowerCase());
  if (Array.isArray(value)) return value.every(isAbstention);
  return false;
}

/** Case, accents, spacing and trailing punctuation do not make strings differ. */
export function foldText(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.,;:]+$/, "");
}

function foldUri(s: string): string {
  try {
    const u = new URL(s.trim());
    const host = u.hostname.toLowerCase().replace(/^www\./, "");
    const path = u.pathname.replace(/\/+$/, "");
    return `${host}${u.port ? `:${u.port}` : ""}${path}${u.search}`;
  } catch {
    return foldText(s);
  }
}

function foldDate(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(s.trim());
  return m?.[1] ?? foldText(s);
}

/** Canonical JSON (sorted keys) of an already-normalized value. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isSchemaObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The comparison key of a value at a schema node (the original value is kept for output): enums and booleans
 * exact; strings folded (URIs by host and path, emails lower-case, dates as YYYY-MM-DD); numbers as themselves
 * (tolerance is applied by clustering); arrays as the sorted set of their items' keys; objects by their fields.
 */
export function comparisonKey(value: unknown, node: JsonSchema, depth = 0): string {
  const type = mainType(node);
  if (depth > 8) return canonical(value);
  if (typeof value === "string") {
    if (Array.isArray(node.enum)) return JSON.stringify(value);
    if (node.format === "uri") return `s:${foldUri(value)}`;
    if (node.format === "email") return `s:${value.trim().toLowerCase()}`;
    if (node.format === "date" || node.format === "date-time") return `s:${foldDate(value)}`;
    return `s:${foldText(value)}`;
  }
  if (type === "array" && Array.isArray(value)) {
    const items = isSchemaObject(node.items) ? node.items : {};
    return `[${[...new Set(value.filter((v) => !isAbstention(v)).map((v) => comparisonKey(v, items, depth + 1)))].sort().join("|")}]`;
  }
  if (type === "object" && isSchemaObject(value) && isSchemaObject(node.properties)) {
    const props = node.properties;
    return `{${Object.keys(props)
      .sort()
      .map((k) => {
        const child = props[k];
        const v = value[k];
        return `${k}=${isAbstention(v) || !isSchemaObject(child) ? "" : comparisonKey(v, child, depth + 1)}`;
      })
      .join(",")}}`;
  }
  return canonical(value);
}

/** Two numbers agree when they differ by at most `tolerance` × the larger magnitude (0 = exactly equal). */
export function numbersAgree(a: number, b: number, tolerance: number): boolean {
  if (Math.abs(a) < 1e-9 && Math.abs(b) < 1e-9) return true;
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

/** The lower weighted median: the first value (ascending) at which the running weight reaches half the total. */
export function lowerWeightedMedian(values: { value: number; weight: number }[]): number | undefined {
  const sorted = [...values].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((s, v) => s + v.weight, 0);
  let running = 0;
  for (const v of sorted) {
    running += v.weight;
    if (running * 2 >= total) return v.value;
  }
  return sorted[sorted.length - 1]?.value;
}
