import type { JsonSchema } from "./types";

/** Traversal bound: user schemas are at most 5 objects deep (schema-subset.ts), provider dialects add none. */
export const MAX_WALK_DEPTH = 32;

/** Dossier's own property annotations: meaningful to Dossier, noise (or an error) to a provider. */
export const DOSSIER_ANNOTATIONS = ["expertise", "identifying", "multilingual"] as const;

export interface NodeInfo {
  /** Listed in the parent object's `required` (array items and the root count as required). */
  required: boolean;
  /** Property names and `[]` for array items, from the root. */
  path: string[];
}

export const isSchemaObject = (v: unknown): v is JsonSchema => v !== null && typeof v === "object" && !Array.isArray(v);

/** The node's types as a list (`"string"` → `["string"]`, `["string","null"]` stays). */
export function typesOf(node: JsonSchema): string[] {
  const t = node.type;
  if (typeof t === "string") return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : [];
}

/** The node's main type, ignoring "null". */
export const mainType = (node: JsonSchema): string | undefined => typesOf(node).find((t) => t !== "null");

export const requiredOf = (node: JsonSchema): string[] =>
  Array.isArray(node.required) ? node.required.filter((x): x is string => typeof x === "string") : [];

export const propertiesOf = (node: JsonSchema): [string, JsonSchema][] =>
  isSchemaObject(node.properties) ? Object.entries(node.properties).filter((e): e is [string, JsonSchema] => isSchemaObject(e[1])) : [];

/**
 * Rebuilds a schema bottom-up: children (`properties`, `items`) are mapped first, then `visit` rewrites the node.
 * Depth-bounded: a deeper schema than MAX_WALK_DEPTH is refused, whatever its source.
 */
export function mapSchema(schema: JsonSchema, visit: (node: JsonSchema, info: NodeInfo) => JsonSchema): JsonSchema {
  const walk = (node: JsonSchema, info: NodeInfo): JsonSchema => {
    if (info.path.length > MAX_WALK_DEPTH) throw new Error(`Schema nested deeper than ${MAX_WALK_DEPTH} levels`);
    const copy: JsonSchema = { ...node };
    const props = propertiesOf(node);
    if (props.length > 0) {
      const required = new Set(requiredOf(node));
      copy.properties = Object.fromEntries(props.map(([k, v]) => [k, walk(v, { required: required.has(k), path: [...info.path, k] })]));
    }
    if (isSchemaObject(node.items)) copy.items = walk(node.items, { required: true, path: [...info.path, "[]"] });
    return visit(copy, info);
  };
  return walk(schema, { required: true, path: [] });
}

/** Keeps the listed keywords; the others are returned so a dialect can say them in the description instead. */
export function splitKeywords(node: JsonSchema, keep: ReadonlySet<string>): { kept: JsonSchema; dropped: [string, unknown][] } {
  const kept: JsonSchema = {};
  const dropped: [string, unknown][] = [];
  for (const [k, v] of Object.entries(node)) {
    if (keep.has(k)) kept[k] = v;
    else if (!(DOSSIER_ANNOTATIONS as readonly string[]).includes(k) && !k.startsWith("x-") && k !== "$schema") dropped.push([k, v]);
  }
  return { kept, dropped };
}

/** Appends constraints a provider cannot enforce to the description, so the model still reads them. */
export function describeDropped(node: JsonSchema, dropped: [string, unknown][]): JsonSchema {
  if (dropped.length === 0) return node;
  const notes = dropped.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("; ");
  const description = typeof node.description === "string" && node.description ? `${node.description} (${notes})` : `(${notes})`;
  return { ...node, description };
}
