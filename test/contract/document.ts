/**
 * Reading the served OpenAPI document: its operations, who may call each, and a valid sample of any schema.
 * Pure (no Workers or Node imports), so the workers suites and the node response validator share it.
 */

export type Role = "viewer" | "member" | "admin";
export const ROLES: Role[] = ["viewer", "member", "admin"];

export interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  example?: unknown;
  default?: unknown;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}

interface MediaType {
  schema?: Schema;
}

export interface RawOperation {
  security?: Record<string, string[]>[];
  "x-min-role"?: string;
  /** A compatibility API's operation: the product (src/features/compat). */
  "x-compat"?: string;
  /** Its errors are not Dossier's `{error:{…}}` but this product's shape (checks.ts `ERROR_SHAPES`). */
  "x-error-shape"?: string;
  /** A path parameter naming nothing is answered with this status, not 404 (Lance's POST: 400). */
  "x-unknown-id-status"?: number;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, Schema> };
  security?: Record<string, string[]>[];
}

export interface Operation {
  method: string;
  path: string;
  /** "METHOD /path" */
  id: string;
  raw: RawOperation;
  parameters: Parameter[];
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, raw]) => ({ method: method.toUpperCase(), path, id: `${method.toUpperCase()} ${path}`, raw, parameters: raw.parameters ?? [] })),
  );
}

export type Access = { kind: "public" } | { kind: "operator" } | { kind: "apiKey"; minRole: Role };

/**
 * Who may call an operation, from its document alone: `security: []` is public, the adminToken scheme is the
 * operator's, and an API-key operation must name its least role in `x-min-role`. Anything else is an error, so
 * a route nobody described cannot slip through the generated suites.
 */
export function accessOf(op: Operation, doc: Pick<OpenApiDocument, "security">): Access {
  const security = op.raw.security ?? doc.security ?? [];
  if (security.length === 0) return { kind: "public" };
  const schemes = security.flatMap((s) => Object.keys(s));
  if (schemes.length === 1 && schemes[0] === "adminToken") return { kind: "operator" };
  if (schemes.length !== 1 || schemes[0] !== "apiKey") throw new Error(`${op.id}: unexpected security ${JSON.stringify(security)}`);
  const role = op.raw["x-min-role"];
  if (!ROLES.includes(role as Role)) throw new Error(`${op.id}: an API-key operation without a valid x-min-role (${String(role)})`);
  return { kind: "apiKey", minRole: role as Role };
}

export const rolesBelow = (role: Role) => ROLES.slice(0, ROLES.indexOf(role));

export const pathParams = (op: Operation) => op.parameters.filter((p) => p.in === "path");

/** The status an id that names nothing gets in the operation's path: 404, another one it declares, or none (a PUT that creates). */
export function unknownIdStatus(op: Operation): number | undefined {
  return op.raw["x-unknown-id-status"] ?? (op.raw.responses["404"] ? 404 : undefined);
}

/** The name of what a path parameter points at: the collection segment before it, e.g. `entities/{id}`. */
export function resourceOf(path: string, param: string): string {
  const segments = path.split("/");
  const at = segments.indexOf(`{${param}}`);
  if (at < 1) throw new Error(`${path} has no {${param}}`);
  return `${segments[at - 1]}/{${param}}`;
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

export function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (let guard = 0; current.$ref; guard++) {
    const name = current.$ref.replace("#/components/schemas/", "");
    const next = doc.components.schemas[name];
    if (!next || guard > 20) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = next;
  }
  return current;
}

export const typesOf = (schema: Schema): string[] => (schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type]);

/** A schema that says nothing about its value's shape: any JSON goes (free-form). */
export const isFreeForm = (schema: Schema) =>
  schema.type === undefined && !schema.anyOf && !schema.oneOf && !schema.allOf && !schema.enum && schema.const === undefined && !schema.$ref;

/** A free-form map: an object whose values are free-form (e.g. `params`, `config`, `attributes`). */
export const isFreeFormMap = (doc: OpenApiDocument, schema: Schema) =>
  typesOf(schema).includes("object") && !schema.properties && typeof schema.additionalProperties === "object" && isFreeForm(resolve(doc, schema.additionalProperties));

export interface SampleOptions {
  /** Every URL in a sample points here (a server on 127.0.0.1), so nothing a test creates can call out. */
  urlBase: string;
}

/** Keeps the path and query of an example URL, on the test's own server. */
function localUrl(value: string, options: SampleOptions): string {
  if (!/^https?:\/\//.test(value)) return value;
  const url = new URL(value.replace(/\{\{/g, "%7B%7B").replace(/\}\}/g, "%7D%7D"));
  return `${options.urlBase.replace(/\/$/, "")}${decodeURI(url.pathname)}${decodeURIComponent(url.search)}`;
}

/**
 * A small valid value of a schema: its example when it has one, else the least that satisfies it. Objects get
 * their required properties, or every property when none is required (a PATCH body must change something).
 */
export function sampleOf(doc: OpenApiDocument, input: Schema, options: SampleOptions, depth = 0): unknown {
  if (depth > 12) throw new Error("sample too deep");
  const schema = resolve(doc, input);
  if (schema.example !== undefined) return localized(schema.example, options);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const option = schema.anyOf ?? schema.oneOf;
  if (option) {
    const first = option.find((s) => !typesOf(resolve(doc, s)).every((t) => t === "null"));
    return sampleOf(doc, first ?? {}, options, depth + 1);
  }
  const type = typesOf(schema).find((t) => t !== "null");
  switch (type) {
    case "string":
      if (schema.format === "uuid") return crypto.randomUUID();
      if (schema.format === "date-time") return new Date().toISOString();
      if (schema.format === "uri") return `${options.urlBase.replace(/\/$/, "")}/webhooks/in/contract`;
      if (schema.format === "email") return "ada@example.com";
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
    case "integer":
    case "number":
      return schema.minimum ?? (schema.exclusiveMinimum === undefined ? 1 : schema.exclusiveMinimum + 1);
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(doc, schema.items ?? {}, options, depth + 1));
    case "object": {
      const properties = schema.properties ?? {};
      const names = schema.required?.length ? schema.required : Object.keys(properties);
      return Object.fromEntries(names.map((name) => [name, sampleOf(doc, properties[name] ?? {}, options, depth + 1)]));
    }
    default:
      return {};
  }
}

function localized(value: unknown, options: SampleOptions): unknown {
  if (typeof value === "string") return localUrl(value, options);
  if (Array.isArray(value)) return value.map((v) => localized(v, options));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localized(v, options)]));
  return value;
}

/** The JSON request body schema of an operation, if it takes JSON. */
export function jsonBodyOf(op: Operation): Schema | undefined {
  return op.raw.requestBody?.content["application/json"]?.schema;
}

/** Required query parameters with sample values: the least query string that passes validation. */
export function sampleQuery(doc: OpenApiDocument, op: Operation, options: SampleOptions): Record<string, string> {
  return Object.fromEntries(
    op.parameters.filter((p) => p.in === "query" && p.required).map((p) => [p.name, String(sampleOf(doc, p.schema, options))]),
  );
}

export function withQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}
