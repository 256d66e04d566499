import { type Schema, Validator } from "@cfworker/json-schema";
import { isSchemaObject, MAX_WALK_DEPTH, mainType, propertiesOf, requiredOf, typesOf } from "./schema-map";
import type { ChatTurn, JsonSchema, OutputValidationError } from "./types";

/**
 * Reads a model's text as one JSON object: plain JSON, JSON in a ```json fence, or JSON after leading prose.
 * Undefined when none of these parse to an object.
 */
export function parseModelJson(text: string): Record<string, unknown> | undefined {
  const attempts = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced?.[1]) attempts.push(fenced[1].trim());
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) attempts.push(text.slice(first, last + 1));
  for (const candidate of attempts) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (isSchemaObject(value)) return value;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function conformValue(value: unknown, node: JsonSchema, depth: number): unknown {
  if (depth > MAX_WALK_DEPTH) return value;
  const type = mainType(node);
  if ((type === "number" || type === "integer") && typeof value === "string" && NUMERIC.test(value.trim())) return Number(value.trim());
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  if (type === "array" && Array.isArray(value) && isSchemaObject(node.items)) {
    const items = node.items;
    return value.map((v) => conformValue(v, items, depth + 1));
  }
  if (type !== "object" || !isSchemaObject(value)) return value;
  const props = propertiesOf(node);
  if (props.length === 0) return value;
  const required = new Set(requiredOf(node));
  const out: Record<string, unknown> = {};
  for (const [key, child] of props) {
    if (!(key in value)) continue;
    const v = value[key];
    // OpenAI strict answers `null` for an optional property it has no value for: in the user's schema that is "absent".
    if (v === null && !required.has(key) && !typesOf(child).includes("null")) continue;
    out[key] = conformValue(v, child, depth + 1);
  }
  return out;
}

/**
 * Brings a model's output back to the user's schema before validation: drops properties the schema does not name,
 * turns strict-mode `null`s of optional, non-nullable properties into absent ones, and reads plain numeric strings
 * as numbers (and "true"/"false" as booleans) where the schema asks for them. Nothing else is changed.
 */
export function conformOutput(output: Record<string, unknown>, schema: JsonSchema): Record<string, unknown> {
  const conformed = conformValue(output, schema, 0);
  return isSchemaObject(conformed) ? conformed : output;
}

const WRAPPERS = new Set(["properties", "items", "prefixItems", "false"]);

const validators = new WeakMap<JsonSchema, Validator>();

/** Validates against the user's schema with @cfworker/json-schema (no code generation, so it runs in Workers). */
export function validateOutput(output: unknown, schema: JsonSchema): OutputValidationError[] {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as Schema, "2020-12", false);
    validators.set(schema, validator);
  }
  const result = validator.validate(output);
  if (result.valid) return [];
  // The validator also reports each enclosing "properties"/"items" keyword ("Property x does not match schema"),
  // and a closed object's extra property twice; the specific entries say it better.
  const seen = new Set<string>();
  return result.errors
    .filter((e) => !WRAPPERS.has(e.keyword))
    .map((e) => ({ instancePath: e.instanceLocation.replace(/^#/, ""), message: e.error }))
    .filter((e) => {
      const key = `${e.instancePath}|${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * The one repair attempt: the model's previous answer and a user turn listing what was wrong with it.
 * The errors name JSON pointers and the validator's messages only (never the entity data again).
 */
export function repairTurns(previousText: string, errors: OutputValidationError[]): ChatTurn[] {
  const list = errors.length
    ? errors.slice(0, 20).map((e) => `- ${e.instancePath || "(root)"}: ${e.message}`).join("\n")
    : "- the answer is not one JSON object";
  return [
    { role: "assistant", content: previousText.slice(0, 20_000) || "(empty answer)" },
    {
      role: "user",
      content: `Your previous answer does not conform to the JSON schema:\n${list}\nAnswer again with one corrected JSON object only, conforming to the schema.`,
    },
  ];
}
