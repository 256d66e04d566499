/** One reason a user schema is outside Dossier's subset; `path` names the keyword (`jsonSchema.properties.zip.type`). */
export interface SchemaIssue {
  path: string;
  message: string;
  code: string;
}

export const SCHEMA_LIMITS = {
  /** Object nesting, the root object being level 1 (OpenAI strict mode's limit). */
  maxDepth: 5,
  /** Properties at every level together. */
  maxProperties: 200,
  maxEnumValues: 500,
  maxPatternLength: 200,
  maxDescriptionLength: 2000,
  maxExpertiseDomains: 25,
  maxIssues: 100,
} as const;

export const SCHEMA_TYPES = ["object", "string", "number", "integer", "boolean", "array"] as const;
export const STRING_FORMATS = ["date", "date-time", "time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname"] as const;

const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DOMAIN_KEY = /^[a-z][a-z0-9_]{0,39}$/;
/** A group that repeats something repeated, e.g. `(a+)+`: may backtrack for ever on some inputs. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

const COMMON = ["type", "description", "title", "enum", "default", "examples"];
const BY_TYPE: Record<string, string[]> = {
  string: ["format", "minLength", "maxLength", "pattern"],
  number: ["minimum", "maximum"],
  integer: ["minimum", "maximum"],
  boolean: [],
  array: ["items", "minItems", "maxItems"],
  object: ["properties", "required", "additionalProperties"],
};
const ANNOTATIONS = ["expertise", "identifying", "multilingual"];

type Place = "root" | "property" | "items";
interface Pending {
  node: unknown;
  path: string;
  /** Object nesting level of this node if it is an object. */
  depth: number;
  place: Place;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function matchesType(value: unknown, type: string): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "integer") return typeof value === "number" && Number.isInteger(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  if (type === "boolean") return typeof value === "boolean";
  return false;
}

/** `type` → its main type and whether `null` is allowed; undefined when outside the subset. */
function readType(t: unknown): { type: string; nullable: boolean } | undefined {
  if (typeof t === "string") return (SCHEMA_TYPES as readonly string[]).includes(t) ? { type: t, nullable: false } : undefined;
  if (Array.isArray(t) && t.length === 2 && t.includes("null")) {
    const main = t.find((x) => x !== "null");
    return typeof main === "string" && (SCHEMA_TYPES as readonly string[]).includes(main) && main !== "object" ? { type: main, nullable: true } : undefined;
  }
  return undefined;
}

/**
 * Checks that `expertiseDomains` is `{key: {name, description?}}` with at most 25 snake_case keys.
 */
export function validateExpertiseDomains(domains: unknown, basePath = "expertiseDomains"): SchemaIssue[] {
  if (domains === undefined) return [];
  if (!isPlainObject(domains)) return [{ path: basePath, message: "Must be an object of {key: {name, description}}", code: "invalid_type" }];
  const issues: SchemaIssue[] = [];
  const keys = Object.keys(domains);
  if (keys.length > SCHEMA_LIMITS.maxExpertiseDomains) {
    issues.push({ path: basePath, message: `At most ${SCHEMA_LIMITS.maxExpertiseDomains} expertise domains`, code: "too_big" });
  }
  for (const key of keys.slice(0, SCHEMA_LIMITS.maxExpertiseDomains + 1)) {
    const d = domains[key];
    if (!DOMAIN_KEY.test(key)) issues.push({ path: `${basePath}.${key}`, message: "Domain keys are lower-case letters, digits and _ (at most 40)", code: "invalid_key" });
    if (!isPlainObject(d) || typeof d.name !== "string" || d.name.trim() === "") {
      issues.push({ path: `${basePath}.${key}.name`, message: "Each domain needs a name", code: "invalid_type" });
    } else if (d.description !== undefined && typeof d.description !== "string") {
      issues.push({ path: `${basePath}.${key}.description`, message: "Must be a string", code: "invalid_type" });
    }
  }
  return issues;
}

/**
 * Checks a user's JSON Schema against Dossier's draft 2020-12 subset: object, string (format, enum, minLength,
 * maxLength, pattern), number and integer (minimum, maximum), boolean, array (items, minItems, maxItems), nested
 * objects (properties, required, additionalProperties: false); `[T, "null"]` for nullable scalars; description,
 * title, enum, default, examples everywhere; depth ≤ 5 objects, ≤ 200 properties; on properties the annotations
 * `expertise` (a key of `expertiseDomains`), `identifying` and `multilingual` (strings only). Every issue names
 * its path. The walk is iterative and stops descending past the depth limit, so no input can make it recurse.
 */
export function validateUserSchema(jsonSchema: unknown, expertiseDomains?: Record<string, unknown>, basePath = "jsonSchema"): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (path: string, message: string, code: string) => {
    if (issues.length < SCHEMA_LIMITS.maxIssues) issues.push({ path, message, code });
  };
  const domainKeys = new Set(isPlainObject(expertiseDomains) ? Object.keys(expertiseDomains) : []);
  let propertyCount = 0;
  const stack: Pending[] = [{ node: jsonSchema, path: basePath, depth: 1, place: "root" }];
  while (stack.length > 0 && issues.length < SCHEMA_LIMITS.maxIssues) {
    const { node, path, depth, place } = stack.pop() as Pending;
    if (!isPlainObject(node)) {
      add(path, "Must be a JSON Schema object", "invalid_type");
      continue;
    }
    const t = readType(node.type);
    if (!t) {
      add(`${path}.type`, `type must be one of ${SCHEMA_TYPES.join(", ")} (or [type, "null"] for a scalar or array)`, "invalid_type");
      continue;
    }
    if (place === "root" && (t.type !== "object" || t.nullable)) add(`${path}.type`, 'The root must be {"type": "object"}', "invalid_type");
    const allowed = new Set([...COMMON, ...(BY_TYPE[t.type] ?? []), ...(place === "property" ? ANNOTATIONS : []), ...(place === "root" ? ["$schema"] : [])]);
    for (const key of Object.keys(node)) {
      if (!allowed.has(key)) add(`${path}.${key}`, `'${key}' is not supported on a ${place === "property" ? "" : `${place} `}${t.type} schema`, "unsupported_keyword");
    }
    checkCommon(node, t.type, path, add);
    checkAnnotations(node, t.type, path, domainKeys, add);
    if (t.type === "string") checkString(node, path, add);
    if (t.type === "number" || t.type === "integer") checkRange(node, "minimum", "maximum", path, add, false);
    if (t.type === "array") {
      checkRange(node, "minItems", "maxItems", path, add, true);
      if (!isPlainObject(node.items)) add(`${path}.items`, "An array needs an items schema", "required");
      else stack.push({ node: node.items, path: `${path}.items`, depth: depth + 1, place: "items" });
    }
    if (t.type !== "object") continue;
    if (depth > SCHEMA_LIMITS.maxDepth) {
      add(path, `Objects may nest at most ${SCHEMA_LIMITS.maxDepth} levels deep`, "too_deep");
      continue;
    }
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
      add(`${path}.additionalProperties`, "Only additionalProperties: false is supported", "unsupported_keyword");
    }
    if (!isPlainObject(node.properties) || Object.keys(node.properties).length === 0) {
      add(`${path}.properties`, "An object needs at least one property", "required");
      continue;
    }
    const names = Object.keys(node.properties);
    propertyCount += names.length;
    if (propertyCount > SCHEMA_LIMITS.maxProperties) {
      add(`${path}.properties`, `At most ${SCHEMA_LIMITS.maxProperties} properties in the whole schema`, "too_big");
      continue;
    }
    if (node.required !== undefined) checkRequired(node.required, names, `${path}.required`, add);
    for (const name of [...names].reverse()) {
      const childPath = `${path}.properties.${name}`;
      if (!PROPERTY_NAME.test(name)) add(childPath, "Property names are letters, digits and _ (at most 64), not starting with a digit", "invalid_key");
      else stack.push({ node: node.properties[name], path: childPath, depth: depth + 1, place: "property" });
    }
  }
  return issues;
}

type Add = (path: string, message: string, code: string) => void;

function checkCommon(node: Record<string, unknown>, type: string, path: string, add: Add) {
  for (const key of ["description", "title"]) {
    const v = node[key];
    if (v !== undefined && (typeof v !== "string" || v.length > SCHEMA_LIMITS.maxDescriptionLength)) {
      add(`${path}.${key}`, `Must be a string of at most ${SCHEMA_LIMITS.maxDescriptionLength} characters`, "invalid_type");
    }
  }
  if (node.enum !== undefined) {
    const values = node.enum;
    if (type === "object" || type === "array") add(`${path}.enum`, "enum is for scalar types", "unsupported_keyword");
    else if (!Array.isArray(values) || values.length === 0 || values.length > SCHEMA_LIMITS.maxEnumValues) {
      add(`${path}.enum`, `Must be a list of 1 to ${SCHEMA_LIMITS.maxEnumValues} values`, "invalid_type");
    } else if (values.some((v) => v !== null && !matchesType(v, type))) add(`${path}.enum`, `Every value must be a ${type}`, "invalid_type");
    else if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) add(`${path}.enum`, "Values must be unique", "invalid_enum");
  }
  if (node.default !== undefined && node.default !== null && (type === "object" || type === "array" || !matchesType(node.default, type))) {
    add(`${path}.default`, `default must be a ${type}`, "invalid_type");
  }
  if (node.examples !== undefined && (!Array.isArray(node.examples) || node.examples.length > 10)) {
    add(`${path}.examples`, "Must be a list of at most 10 examples", "invalid_type");
  }
}

function checkAnnotations(node: Record<string, unknown>, type: string, path: string, domainKeys: Set<string>, add: Add) {
  if (node.expertise !== undefined && (typeof node.expertise !== "string" || !domainKeys.has(node.expertise))) {
    add(`${path}.expertise`, "Must name a key of expertiseDomains", "unknown_expertise");
  }
  for (const key of ["identifying", "multilingual"]) {
    if (node[key] !== undefined && typeof node[key] !== "boolean") add(`${path}.${key}`, "Must be true or false", "invalid_type");
  }
  if (node.identifying === true && (type === "object" || type === "array")) add(`${path}.identifying`, "Only scalar properties can be identifying", "invalid_annotation");
  if (node.multilingual === true && type !== "string") add(`${path}.multilingual`, "Only string properties can be multilingual", "invalid_annotation");
}

function checkString(node: Record<string, unknown>, path: string, add: Add) {
  if (node.format !== undefined && !(STRING_FORMATS as readonly unknown[]).includes(node.format)) {
    add(`${path}.format`, `format must be one of ${STRING_FORMATS.join(", ")}`, "invalid_format");
  }
  checkRange(node, "minLength", "maxLength", path, add, true);
  if (node.pattern === undefined) return;
  if (typeof node.pattern !== "string" || node.pattern.length > SCHEMA_LIMITS.maxPatternLength) {
    add(`${path}.pattern`, `Must be a regular expression of at most ${SCHEMA_LIMITS.maxPatternLength} characters`, "invalid_type");
    return;
  }
  try {
    new RegExp(node.pattern, "u");
  } catch {
    add(`${path}.pattern`, "Not a valid regular expression", "invalid_pattern");
    return;
  }
  if (NESTED_QUANTIFIER.test(node.pattern)) add(`${path}.pattern`, "Nested quantifiers such as (a+)+ are not allowed", "invalid_pattern");
}

function checkRange(node: Record<string, unknown>, low: string, high: string, path: string, add: Add, counts: boolean) {
  const ok = (v: unknown) => (counts ? isCount(v) : typeof v === "number" && Number.isFinite(v));
  for (const key of [low, high]) {
    if (node[key] !== undefined && !ok(node[key])) add(`${path}.${key}`, counts ? "Must be a non-negative integer" : "Must be a number", "invalid_type");
  }
  const a = node[low];
  const b = node[high];
  if (ok(a) && ok(b) && (a as number) > (b as number)) add(`${path}.${low}`, `${low} is larger than ${high}`, "invalid_range");
}

function checkRequired(required: unknown, names: string[], path: string, add: Add) {
  if (!Array.isArray(required) || required.some((r) => typeof r !== "string")) {
    add(path, "Must be a list of property names", "invalid_type");
    return;
  }
  if (new Set(required).size !== required.length) add(path, "Names must be unique", "invalid_required");
  required.forEach((r, i) => {
    if (!names.includes(r as string)) add(`${path}.${i}`, `'${String(r)}' is not a property of this object`, "invalid_required");
  });
}
