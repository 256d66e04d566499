import { describeDropped, mainType, mapSchema, propertiesOf, splitKeywords, typesOf } from "./schema-map";
import type { JsonSchema } from "./types";

const COMMON = ["type", "description", "title", "enum", "const", "properties", "required", "additionalProperties", "items", "$defs", "$ref", "anyOf"];

/** OpenAI strict mode's supported keywords and string formats. */
const OPENAI_KEEP = new Set([...COMMON, "pattern", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]);
const OPENAI_FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);

/** Anthropic structured outputs: no numeric or length constraints, minItems only 0 or 1. */
const ANTHROPIC_KEEP = new Set([...COMMON, "allOf", "default"]);
const ANTHROPIC_FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"]);

/** Gemini `responseJsonSchema`'s documented keywords (others are ignored or refused). */
const GEMINI_KEEP = new Set([...COMMON, "format", "prefixItems", "minItems", "maxItems", "minimum", "maximum", "oneOf", "propertyOrdering"]);

/** Everything a JSON Schema validator understands; only Dossier's annotations go. */
const PLAIN_KEEP = new Set([
  ...COMMON,
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "default",
  "examples",
  "oneOf",
  "allOf",
]);

/** Splits a node for a dialect: its kept keywords (and `format` when the provider knows it) and the dropped ones. */
function forDialect(node: JsonSchema, keep: ReadonlySet<string>, formats: ReadonlySet<string>) {
  const { format, ...rest } = node;
  const { kept, dropped } = splitKeywords(rest, keep);
  if (typeof format === "string" && formats.has(format)) kept.format = format;
  else if (format !== undefined) dropped.push(["format", format]);
  return { kept, dropped };
}

const closeObject = (node: JsonSchema): JsonSchema => (mainType(node) === "object" ? { ...node, additionalProperties: false } : node);

/** Without Dossier's annotations (`expertise`, `identifying`, `multilingual`, `x-*`), otherwise unchanged. */
export const plainSchema = (schema: JsonSchema): JsonSchema => mapSchema(schema, (node) => splitKeywords(node, PLAIN_KEEP).kept);

/**
 * OpenAI strict (`response_format.json_schema.strict: true`): every object closed and every property required;
 * an optional property becomes nullable (`type: [t, "null"]`, `null` added to its enum); keywords strict mode
 * refuses (`minLength`, `default`, `examples`, formats outside its list) move into the description.
 */
export function toOpenAiStrict(schema: JsonSchema): JsonSchema {
  return mapSchema(schema, (node, info) => {
    const { kept, dropped } = forDialect(node, OPENAI_KEEP, OPENAI_FORMATS);
    const out = closeObject(describeDropped(kept, dropped));
    if (mainType(out) === "object") out.required = propertiesOf(out).map(([k]) => k);
    if (!info.required) {
      const types = typesOf(out);
      if (types.length > 0 && !types.includes("null")) out.type = [...types, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    return out;
  });
}

/** Anthropic `output_config.format` (GA structured outputs): closed objects, unsupported constraints described. */
export function toAnthropicOutput(schema: JsonSchema): JsonSchema {
  return mapSchema(schema, (node) => {
    const { kept, dropped } = forDialect(node, ANTHROPIC_KEEP, ANTHROPIC_FORMATS);
    if (typeof node.minItems === "number" && node.minItems <= 1) {
      kept.minItems = node.minItems;
      const i = dropped.findIndex(([k]) => k === "minItems");
      if (i >= 0) dropped.splice(i, 1);
    }
    return closeObject(describeDropped(kept, dropped));
  });
}

/** Anthropic forced tool use: `tools[0].input_schema` takes ordinary JSON Schema (not enforced, validated by us). */
export const toAnthropicTool = (schema: JsonSchema): JsonSchema => plainSchema(schema);

/** Gemini `generationConfig.responseJsonSchema`: its keyword subset plus `propertyOrdering` in schema order. */
export function toGemini(schema: JsonSchema): JsonSchema {
  return mapSchema(schema, (node) => {
    const split = splitKeywords(node, GEMINI_KEEP);
    const out = describeDropped(split.kept, split.dropped);
    const props = propertiesOf(out);
    if (props.length > 0) out.propertyOrdering = props.map(([k]) => k);
    return out;
  });
}

/**
 * For JSON-mode models (DeepSeek, `json_object`): the schema goes into the system prompt. The text contains the
 * word "json" (DeepSeek refuses JSON mode otherwise) and says how to answer what the model cannot determine.
 */
export function describeSchemaForPrompt(schema: JsonSchema): string {
  return [
    "Answer with JSON only: one JSON object that conforms to this JSON Schema. Use null for a value you cannot determine.",
    "```json",
    JSON.stringify(plainSchema(schema)),
    "```",
  ].join("\n");
}
