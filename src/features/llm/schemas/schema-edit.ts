import { isSchemaObject } from "../../../providers/llm/schema-map";
import type { JsonSchema } from "../../../providers/llm/types";
import { STRING_FORMATS, type SchemaIssue } from "../schema-subset";
import { nodeAt } from "./schema-generate";
import type { SchemaContent } from "./schema-store";

export const EDIT_OPERATIONS = [
  "add_property",
  "remove_property",
  "update_property",
  "rename_property",
  "set_domain",
  "remove_domain",
  "set_entity_type",
  "set_description",
  "set_name",
] as const;

const nullable = (type: string, extra: JsonSchema = {}): JsonSchema => ({ type: [type, "null"], ...extra });

/**
 * What the edit call returns: a list of operations in one fixed shape (fields an operation does not use are null),
 * applied and validated by code. Smaller than a whole schema, and each step can be checked and shown.
 */
export const EDIT_OUTPUT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    operations: {
      type: "array",
      items: {
        type: "object",
        properties: {
          op: { type: "string", enum: [...EDIT_OPERATIONS] },
          path: nullable("string", { description: "Dotted path of the property (add/remove/update/rename)" }),
          to: nullable("string", { description: "rename_property: the new name" }),
          type: { type: ["string", "null"], enum: ["string", "number", "integer", "boolean", "array", "object", null] },
          description: nullable("string"),
          format: { type: ["string", "null"], enum: [...STRING_FORMATS, null] },
          enum: { type: ["array", "null"], items: { type: "string" } },
          expertise: nullable("string"),
          identifying: nullable("boolean"),
          multilingual: nullable("boolean"),
          required: nullable("boolean"),
          key: nullable("string", { description: "set_domain/remove_domain: the domain key" }),
          name: nullable("string", { description: "set_domain: its name; set_name: the schema's" }),
          text: nullable("string", { description: "set_entity_type, set_description: the new text" }),
        },
        required: ["op", "path", "to", "type", "description", "format", "enum", "expertise", "identifying", "multilingual", "required", "key", "name", "text"],
        additionalProperties: false,
      },
    },
    summary: { type: "string", description: "What changed, in one sentence" },
  },
  required: ["operations", "summary"],
  additionalProperties: false,
};

type Operation = Record<string, unknown> & { op: string };

function setRequired(parent: JsonSchema, name: string, required: unknown) {
  if (typeof required !== "boolean") return;
  const list = Array.isArray(parent.required) ? (parent.required as string[]).filter((r) => r !== name) : [];
  if (required) list.push(name);
  if (list.length) parent.required = list;
  else delete parent.required;
}

/** Sets the keywords an add or update names; `null` leaves a keyword as it is (false/[] clear it). */
function applyKeywords(node: JsonSchema, op: Operation) {
  if (typeof op.type === "string") {
    node.type = op.type;
    if (op.type === "object" && !isSchemaObject(node.properties)) node.properties = {};
    if (op.type === "array" && !isSchemaObject(node.items)) node.items = { type: "string" };
  }
  if (typeof op.description === "string") node.description = op.description.slice(0, 2000);
  if (typeof op.format === "string") node.format = op.format;
  if (Array.isArray(op.enum)) {
    if (op.enum.length) node.enum = op.enum;
    else delete node.enum;
  }
  if (typeof op.expertise === "string") {
    if (op.expertise) node.expertise = op.expertise;
    else delete node.expertise;
  }
  for (const flag of ["identifying", "multilingual"] as const) {
    if (op[flag] === true) node[flag] = true;
    if (op[flag] === false) delete node[flag];
  }
}

function removeDomainRefs(node: JsonSchema, key: string, depth = 0) {
  if (depth > 8) return;
  if (node.expertise === key) delete node.expertise;
  if (isSchemaObject(node.properties)) for (const child of Object.values(node.properties)) if (isSchemaObject(child)) removeDomainRefs(child, key, depth + 1);
  if (isSchemaObject(node.items)) removeDomainRefs(node.items, key, depth + 1);
}

/**
 * Applies an edit's operations to a copy of the schema, in order. An operation on a path that is not there (or
 * adding one that is) is an issue at `operations.<i>`; the caller validates the result as a whole afterwards.
 */
export function applyEdit(current: SchemaContent, operations: unknown[]): { content: SchemaContent; issues: SchemaIssue[]; applied: Operation[] } {
  const content: SchemaContent = structuredClone(current);
  const issues: SchemaIssue[] = [];
  const applied: Operation[] = [];
  operations.forEach((raw, i) => {
    if (!isSchemaObject(raw) || typeof raw.op !== "string") return;
    const op = raw as Operation;
    const at = `operations.${i}`;
    const fail = (field: string, message: string, code = "invalid_operation") => issues.push({ path: `${at}.${field}`, message, code });
    const path = typeof op.path === "string" ? op.path : "";
    const target = path ? nodeAt(content.jsonSchema, path) : null;
    switch (op.op) {
      case "add_property": {
        if (!target) return fail("path", `'${path}' is not inside an object of the schema`);
        if (target.node) return fail("path", `'${path}' already exists`);
        if (typeof op.type !== "string") return fail("type", "A new property needs a type");
        const node: JsonSchema = {};
        applyKeywords(node, op);
        (target.parent.properties as Record<string, JsonSchema>)[target.name] = node;
        setRequired(target.parent, target.name, op.required);
        break;
      }
      case "remove_property":
        if (!target?.node) return fail("path", `'${path}' is not a property of the schema`);
        delete (target.parent.properties as Record<string, JsonSchema>)[target.name];
        setRequired(target.parent, target.name, false);
        break;
      case "update_property":
        if (!target?.node) return fail("path", `'${path}' is not a property of the schema`);
        applyKeywords(target.node, op);
        setRequired(target.parent, target.name, op.required);
        break;
      case "rename_property": {
        if (!target?.node) return fail("path", `'${path}' is not a property of the schema`);
        const to = typeof op.to === "string" ? op.to : "";
        const props = target.parent.properties as Record<string, JsonSchema>;
        if (!to || to in props) return fail("to", to ? `'${to}' already exists` : "The new name is missing");
        const renamed = Object.fromEntries(Object.entries(props).map(([k, v]) => [k === target.name ? to : k, v]));
        target.parent.properties = renamed;
        if (Array.isArray(target.parent.required)) target.parent.required = (target.parent.required as string[]).map((r) => (r === target.name ? to : r));
        break;
      }
      case "set_domain":
        if (typeof op.key !== "string" || !op.key) return fail("key", "The domain key is missing");
        content.expertiseDomains[op.key] = { name: typeof op.name === "string" && op.name ? op.name : op.key, ...(typeof op.description === "string" && op.description ? { description: op.description } : {}) };
        break;
      case "remove_domain":
        if (typeof op.key !== "string" || !(op.key in content.expertiseDomains)) return fail("key", `'${String(op.key)}' is not a domain of the schema`);
        delete content.expertiseDomains[op.key];
        removeDomainRefs(content.jsonSchema, op.key);
        break;
      case "set_entity_type":
        content.entityType = typeof op.text === "string" && op.text.trim() ? op.text.trim().slice(0, 200) : null;
        break;
      case "set_description":
        content.description = typeof op.text === "string" && op.text.trim() ? op.text.trim().slice(0, 2000) : null;
        break;
      case "set_name":
        if (typeof op.name !== "string" || !op.name.trim()) return fail("name", "The new name is missing");
        content.name = op.name.trim().slice(0, 200);
        break;
      default:
        return fail("op", `Unknown operation ${op.op}`);
    }
    applied.push(op);
  });
  return { content, issues, applied };
}
