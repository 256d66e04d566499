/**
 * Fact paths: plain dot paths under three roots, `entity.…`, `results.<integrationCode>.…` and `event.…`. A segment
 * is a name (letters, digits, `_`, `-`) or an array index, and `[]` after a segment maps over that list. Nothing else
 * is ever interpreted: no expressions, no filters, no JSONPath, so json-rules-engine's own path evaluator is never
 * reached (its `pathResolver` is `resolvePath`), and only own properties are read.
 */

export const FACT_ROOTS = ["entity", "results", "event"] as const;
export type FactRoot = (typeof FACT_ROOTS)[number];

/** What may follow `entity.` and `event.`; `results.` is followed by any integration code. */
export const ENTITY_FACTS = ["id", "type", "externalId", "attributes", "enriched", "tags", "risk"] as const;
export const EVENT_FACTS = ["id", "type", "depth", "data"] as const;

export const MAX_FACT_LENGTH = 200;
const SEGMENT = /^([A-Za-z0-9_-]{1,100})(\[\])?$/;
const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

export interface Segment {
  name: string;
  /** `[]`: the value here is a list, and the rest of the path applies to each item. */
  each: boolean;
}

export interface ParsedFact {
  root: FactRoot;
  /** The path below the root, as given (json-rules-engine's `path`). */
  path: string;
  segments: Segment[];
}

/** The parsed path, or why it is not one. */
export function parseFact(fact: string): ParsedFact | { error: string } {
  if (fact.length > MAX_FACT_LENGTH) return { error: `A fact path has at most ${MAX_FACT_LENGTH} characters` };
  const [root, ...rest] = fact.split(".");
  if (!FACT_ROOTS.includes(root as FactRoot)) return { error: `A fact starts with ${FACT_ROOTS.map((r) => `'${r}.'`).join(", ")}` };
  if (rest.length === 0) return { error: `Name a fact under '${root}.'` };
  const segments: Segment[] = [];
  for (const part of rest) {
    const m = SEGMENT.exec(part);
    if (!m?.[1]) return { error: `'${part}' is not a path segment (letters, digits, _ or -, optionally followed by [])` };
    if (FORBIDDEN.has(m[1])) return { error: `'${m[1]}' cannot be read` };
    segments.push({ name: m[1], each: m[2] === "[]" });
  }
  const first = segments[0]?.name ?? "";
  if (root === "entity" && !(ENTITY_FACTS as readonly string[]).includes(first)) {
    return { error: `entity facts are ${ENTITY_FACTS.map((f) => `entity.${f}`).join(", ")}` };
  }
  if (root === "event" && !(EVENT_FACTS as readonly string[]).includes(first)) {
    return { error: `event facts are ${EVENT_FACTS.map((f) => `event.${f}`).join(", ")}` };
  }
  return { root: root as FactRoot, path: rest.join("."), segments };
}

const parsedPaths = new Map<string, Segment[]>();

function segmentsOf(path: string): Segment[] {
  let segments = parsedPaths.get(path);
  if (!segments) {
    segments = path.split(".").map((part) => {
      const m = SEGMENT.exec(part);
      return { name: m?.[1] ?? "\0", each: m?.[2] === "[]" };
    });
    if (parsedPaths.size > 5000) parsedPaths.clear();
    parsedPaths.set(path, segments);
  }
  return segments;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function walk(value: unknown, segments: Segment[], i: number): unknown {
  if (i === segments.length) return value;
  if (typeof value !== "object" || value === null) return undefined;
  // The longest run of names that is a key wins, so keys holding dots (an enriched `custom.tier`) are reachable.
  for (let j = segments.length; j > i; j--) {
    const run = segments.slice(i, j);
    if (run.slice(0, -1).some((s) => s.each)) continue;
    const key = run.map((s) => s.name).join(".");
    if (FORBIDDEN.has(key)) return undefined;
    let next: unknown;
    if (Array.isArray(value)) {
      if (j !== i + 1 || !/^\d+$/.test(key)) continue;
      next = value[Number(key)];
    } else if (isRecord(value) && Object.hasOwn(value, key)) {
      next = value[key];
    } else continue;
    const last = run[run.length - 1] as Segment;
    if (!last.each) return walk(next, segments, j);
    if (!Array.isArray(next)) return undefined;
    const deeper = segments.slice(j).some((s) => s.each);
    const items = next.map((item) => walk(item, segments, j)).filter((v) => v !== undefined && v !== null);
    return deeper ? items.flatMap((v) => (Array.isArray(v) ? v : [v])) : items;
  }
  return undefined;
}

/** json-rules-engine's `pathResolver`: `path` is a fact's path below its root, as `parseFact` accepted it. */
export function resolvePath(value: object, path: string): unknown {
  return walk(value, segmentsOf(path), 0);
}
