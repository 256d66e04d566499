import type { ExpertiseDomains } from "../../../db/schema/llm";
import { isSchemaObject, propertiesOf } from "../../../providers/llm/schema-map";
import type { JsonSchema } from "../../../providers/llm/types";
import type { SchemaIssue } from "../schema-subset";
import type { SchemaContent } from "./schema-store";

/**
 * What the generation call returns: annotations for the draft's properties (and properties the instructions ask
 * for), never the structure itself, which comes from the samples in code.
 */
export const GENERATION_OUTPUT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    name: { type: "string", description: "A short name for the schema" },
    description: { type: "string", description: "What an entity described by it is" },
    entityType: { type: "string", description: "What each entity should be, e.g. company, person, drug" },
    expertiseDomains: {
      type: "array",
      description: "Areas of expertise that group the fields (2 to 6 for a large schema; none for a small one)",
      items: {
        type: "object",
        properties: { key: { type: "string", description: "snake_case" }, name: { type: "string" }, description: { type: "string" } },
        required: ["key", "name", "description"],
        additionalProperties: false,
      },
    },
    properties: {
      type: "array",
      description: "One entry per property of the draft (dotted paths); a new path adds a property",
      items: {
        type: "object",
        properties: {
          path: { type: "string" },
          type: { type: ["string", "null"], enum: ["string", "number", "integer", "boolean", null], description: "Only for a new property" },
          description: { type: "string" },
          expertise: { type: ["string", "null"], description: "An expertiseDomains key" },
          identifying: { type: "boolean", description: "A search key that identifies the entity (a name, a domain, a registry number)" },
          multilingual: { type: "boolean", description: "Free text worth having in each requested language" },
        },
        required: ["path", "type", "description", "expertise", "identifying", "multilingual"],
        additionalProperties: false,
      },
    },
  },
  required: ["name", "description", "entityType", "expertiseDomains", "properties"],
  additionalProperties: false,
};

/** The node at a dotted path of an object schema (through nested objects), with its parent and name. */
export function nodeAt(schema: JsonSchema, path: string): { parent: JsonSchema; name: string; node: JsonSchema | undefined } | null {
  const segments = path.split(".");
  let parent = schema;
  for (const segment of segments.slice(0, -1)) {
    const next = isSchemaObject(parent.properties) ? parent.properties[segment] : undefined;
    if (!isSchemaObject(next)) return null;
    parent = next;
  }
  const name = segments[segments.length - 1] ?? "";
  if (!isSchemaObject(parent.properties)) return null;
  const node = parent.properties[name];
  return { parent, name, node: isSchemaObject(node) ? node : undefined };
}

const textOf = (v: unknown, max: number) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : null);

/**
 * The draft with the model's annotations applied, as a schema to validate. A path outside the draft adds a property
 * when its parent exists and it names a type; anything else that does not fit is an issue at `properties.<i>`.
 */
export function applyGeneration(draft: JsonSchema, answer: Record<string, unknown>, name: string | null): { content: SchemaContent; issues: SchemaIssue[] } {
  const jsonSchema = structuredClone(draft);
  const issues: SchemaIssue[] = [];
  const expertiseDomains: ExpertiseDomains = {};
  for (const d of Array.isArray(answer.expertiseDomains) ? answer.expertiseDomains : []) {
    if (!isSchemaObject(d) || typeof d.key !== "string") continue;
    expertiseDomains[d.key] = { name: textOf(d.name, 200) ?? d.key, ...(textOf(d.description, 2000) ? { description: textOf(d.description, 2000) as string } : {}) };
  }
  const entries = Array.isArray(answer.properties) ? answer.properties : [];
  entries.forEach((entry, i) => {
    if (!isSchemaObject(entry) || typeof entry.path !== "string") return;
    const at = nodeAt(jsonSchema, entry.path);
    if (!at) {
      issues.push({ path: `properties.${i}.path`, message: `'${entry.path}' is not inside an object of the schema`, code: "unknown_path" });
      return;
    }
    let node = at.node;
    if (!node) {
      if (typeof entry.type !== "string") {
        issues.push({ path: `properties.${i}.type`, message: `'${entry.path}' is a new property: it needs a type`, code: "required" });
        return;
      }
      node = { type: entry.type };
      (at.parent.properties as Record<string, JsonSchema>)[at.name] = node;
    }
    const description = textOf(entry.description, 2000);
    if (description) node.description = description;
    if (typeof entry.expertise === "string" && entry.expertise) node.expertise = entry.expertise;
    if (entry.identifying === true) node.identifying = true;
    if (entry.multilingual === true) node.multilingual = true;
  });
  const title = name ?? textOf(answer.name, 200) ?? "Generated schema";
  return {
    content: { name: title, description: textOf(answer.description, 2000), entityType: textOf(answer.entityType, 200), expertiseDomains, jsonSchema },
    issues,
  };
}

/** The draft's properties, as the prompt lists them for annotation. */
export function draftPaths(schema: JsonSchema, prefix = ""): string[] {
  return propertiesOf(schema).flatMap(([k, child]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return isSchemaObject(child.properties) ? [path, ...draftPaths(child, path)] : [path];
  });
}
