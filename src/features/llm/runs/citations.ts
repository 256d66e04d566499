import type { JsonSchema } from "../../../providers/llm/types";
import { foldText } from "../fusion-normalize";
import { getPath, schemaLeaves } from "../schema-leaves";
import type { Grounding } from "./task-input";

/** A grounding source that holds a field's value. */
export interface Citation {
  /** `integration:<code>` or `entity` (a field the entity already had). */
  source: string;
  enrichmentId?: string;
  /** The stored field (entity) or where in the integration's data the value sits. */
  field: string;
}

const MAX_WALK = 2_000;

/** Strings of at least 3 characters (folded) and finite numbers: values specific enough to say "this source has it". */
function keyOf(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return `n:${value}`;
  if (typeof value === "string") {
    const folded = foldText(value);
    return folded.length >= 3 ? `s:${folded}` : null;
  }
  return null;
}

/** Every scalar of a JSON value with its path, breadth first, bounded. */
function scalars(value: unknown, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  const queue: [string, unknown][] = [[prefix, value]];
  for (let i = 0; i < queue.length && out.length < MAX_WALK; i++) {
    const [path, v] = queue[i] as [string, unknown];
    if (Array.isArray(v)) v.forEach((item, n) => queue.push([`${path}[${n}]`, item]));
    else if (v !== null && typeof v === "object") for (const [k, child] of Object.entries(v)) queue.push([path ? `${path}.${k}` : k, child]);
    else out.push([path, v]);
  }
  return out;
}

/**
 * Which grounding sources support each field of an output: a field cites a source whose data holds the same value
 * (strings compared case-, accent- and space-insensitively; numbers exactly; array fields item by item).
 */
export function citationsFor(schema: JsonSchema, output: Record<string, unknown>, grounding: Grounding | undefined): Record<string, Citation[]> {
  if (!grounding) return {};
  const index = new Map<string, Citation[]>();
  const add = (value: unknown, citation: Citation) => {
    const key = keyOf(value);
    if (key) index.set(key, [...(index.get(key) ?? []), citation]);
  };
  for (const [name, field] of Object.entries(grounding.storedFields ?? {})) {
    for (const [, v] of scalars(field.value, "")) add(v, { source: "entity", field: name });
  }
  for (const found of grounding.integrations ?? []) {
    for (const [path, v] of scalars(found.data, "")) add(v, { source: `integration:${found.integrationCode}`, enrichmentId: found.enrichmentId, field: path });
  }
  const citations: Record<string, Citation[]> = {};
  for (const leaf of schemaLeaves(schema)) {
    const value = getPath(output, leaf.segments);
    const values = Array.isArray(value) ? value : [value];
    const cited = values.flatMap((v) => index.get(keyOf(v) ?? "") ?? []);
    if (cited.length > 0) citations[leaf.path] = [...new Map(cited.map((c) => [`${c.source}|${c.field}`, c])).values()];
  }
  return citations;
}

/** The schema's leaf values of an output, by path: what an entity's enriched fields take. */
export function leafValues(schema: JsonSchema, output: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const leaf of schemaLeaves(schema)) {
    const v = getPath(output, leaf.segments);
    if (v !== undefined && v !== null) values[leaf.path] = v;
  }
  return values;
}
