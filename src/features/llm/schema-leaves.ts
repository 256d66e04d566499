import { isSchemaObject, MAX_WALK_DEPTH, mainType, propertiesOf } from "../../providers/llm/schema-map";
import type { JsonSchema } from "../../providers/llm/types";

/** A field of a schema that holds a value: a scalar, or an array (compared as a whole). */
export interface SchemaLeaf {
  /** Dotted path: `hq.city`. */
  path: string;
  segments: string[];
  schema: JsonSchema;
  /** The `expertise` of the leaf or its nearest annotated ancestor. */
  expertise?: string;
  identifying: boolean;
  /** Set on the per-language leaves of an expanded multilingual property (see multilingual.ts). */
  language?: string;
}

/** The schema's leaves in schema order (depth-first, properties in their written order). */
export function schemaLeaves(schema: JsonSchema): SchemaLeaf[] {
  const leaves: SchemaLeaf[] = [];
  const stack: { node: JsonSchema; segments: string[]; expertise?: string; language?: string }[] = [{ node: schema, segments: [] }];
  while (stack.length > 0) {
    const { node, segments, expertise, language } = stack.pop() as (typeof stack)[number];
    const own = typeof node.expertise === "string" ? node.expertise : expertise;
    const props = propertiesOf(node);
    if (mainType(node) === "object" && props.length > 0 && segments.length < MAX_WALK_DEPTH) {
      const languages = node.multilingual === true;
      for (const [key, child] of [...props].reverse()) {
        stack.push({ node: child, segments: [...segments, key], expertise: own, language: languages ? key : undefined });
      }
      continue;
    }
    if (segments.length === 0) continue;
    leaves.push({ path: segments.join("."), segments, schema: node, expertise: own, identifying: node.identifying === true, language });
  }
  return leaves;
}

export function getPath(value: unknown, segments: string[]): unknown {
  let current = value;
  for (const s of segments) {
    if (!isSchemaObject(current)) return undefined;
    current = current[s];
  }
  return current;
}

export function setPath(target: Record<string, unknown>, segments: string[], value: unknown) {
  let current = target;
  segments.slice(0, -1).forEach((s) => {
    const next = current[s];
    if (!isSchemaObject(next)) current[s] = {};
    current = current[s] as Record<string, unknown>;
  });
  const last = segments[segments.length - 1];
  if (last !== undefined) current[last] = value;
}
