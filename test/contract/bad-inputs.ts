import { type OpenApiDocument, type Operation, type Schema, isFreeForm, isFreeFormMap, jsonBodyOf, pathParams, resolve, typesOf } from "./document";
import type { CallOptions } from "./fixtures";
import type { PreparedRequest } from "./requests";

/**
 * The malformed variants of one valid request, generated from the operation's document: each case breaks one
 * thing. `expect` is what the answer must be on top of the contract (never 5xx, a declared status, the Error
 * shape): a 4xx, an exact status, or (for a value the document does not bound) any declared status below 500.
 */
export interface BadCase {
  label: string;
  path: string;
  options: CallOptions;
  expect: "4xx" | "<500" | number;
  /** For a 400: a detail's path must start with this (the field that was wrong). */
  detailPath?: string;
}

export const OVERSIZE = 100_000;
export const DEEP = 5_000;

export function deeplyNested(depth = DEEP): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function deepArray(depth = DEEP): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A base64url cursor that decodes to a well-formed position nobody issued. */
export const forgedCursor = () =>
  btoa(JSON.stringify({ k: "9999-12-31T23:59:59.999Z", id: "ffffffff-ffff-ffff-ffff-ffffffffffff" })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A string the schema bounds in some way, so 100k characters of "x" must be refused. */
const boundsStrings = (schema: Schema) =>
  schema.maxLength !== undefined || schema.enum !== undefined || schema.pattern !== undefined || schema.format !== undefined || schema.const !== undefined;

/** A JSON value whose type the schema does not allow, or undefined when it allows any. */
function wrongTypeFor(doc: OpenApiDocument, input: Schema): unknown {
  const schema = resolve(doc, input);
  if (isFreeForm(schema)) return undefined;
  const options = (schema.anyOf ?? schema.oneOf ?? [schema]).map((s) => resolve(doc, s));
  const allowed = new Set(options.flatMap((s) => (s.enum ? s.enum.map((v) => (v === null ? "null" : typeof v)) : typesOf(s))));
  if (allowed.has("integer")) allowed.add("number");
  const candidates: [string, unknown][] = [
    ["number", 12345.5],
    ["string", "wrong type"],
    ["boolean", true],
    ["array", ["wrong type"]],
    ["object", { wrong: "type" }],
  ];
  return candidates.find(([type]) => !allowed.has(type))?.[1];
}

type JsonPath = (string | number)[];

function setAt(body: unknown, path: JsonPath, value: unknown, remove = false): unknown {
  const copy = structuredClone(body);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

const dotted = (path: JsonPath) => path.join(".");

/** Every field of a sample body with its schema: the body's properties, nested objects and first array items. */
function fieldsOf(doc: OpenApiDocument, input: Schema, value: unknown, path: JsonPath = []): { path: JsonPath; schema: Schema; required: boolean; parent: Schema }[] {
  const schema = resolve(doc, input);
  const out: { path: JsonPath; schema: Schema; required: boolean; parent: Schema }[] = [];
  if (schema.properties && value && typeof value === "object" && !Array.isArray(value)) {
    for (const [name, child] of Object.entries(schema.properties)) {
      const at = [...path, name];
      out.push({ path: at, schema: resolve(doc, child), required: schema.required?.includes(name) ?? false, parent: schema });
      const present = (value as Record<string, unknown>)[name];
      if (present !== undefined) out.push(...fieldsOf(doc, child, present, at));
    }
  }
  if (typesOf(schema).includes("array") && schema.items && Array.isArray(value) && value.length > 0) {
    out.push(...fieldsOf(doc, schema.items, value[0], [...path, 0]));
  }
  return out;
}

/** Strict objects of the sample body (`additionalProperties: false`), where an unknown field must be refused. */
function strictObjectsOf(doc: OpenApiDocument, schema: Schema, value: unknown): JsonPath[] {
  const own = resolve(doc, schema).additionalProperties === false && value && typeof value === "object" && !Array.isArray(value) ? [[] as JsonPath] : [];
  const present = (path: JsonPath) => {
    const node = path.reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string | number, unknown>)[key] : undefined), value);
    return node !== null && typeof node === "object" && !Array.isArray(node);
  };
  return [...own, ...fieldsOf(doc, schema, value).filter((f) => f.schema.additionalProperties === false && present(f.path)).map((f) => f.path)];
}

function bodyCases(doc: OpenApiDocument, op: Operation, base: PreparedRequest): BadCase[] {
  const declared = Object.keys(op.raw.requestBody?.content ?? {});
  if (declared.length === 0) return [];
  const headers = Object.fromEntries(Object.entries(base.options.headers ?? {}).filter(([name]) => name.toLowerCase() !== "content-type"));
  const at = (label: string, options: CallOptions, expect: BadCase["expect"], detailPath?: string): BadCase => ({
    label,
    path: base.path,
    options: { ...options, headers: { ...headers, ...options.headers } },
    expect,
    detailPath,
  });
  const otherType = ["text/plain", "application/xml", "application/x-www-form-urlencoded"].find((t) => !declared.includes(t)) ?? "application/xml";
  const cases: BadCase[] = [
    at("wrong content type", { headers: { "content-type": otherType }, rawBody: JSON.stringify(base.options.body ?? "x") }, 415),
    at("no content type", { rawBody: new TextEncoder().encode(JSON.stringify(base.options.body ?? "x")) }, 415),
  ];
  const schema = jsonBodyOf(op);
  if (!schema) return cases;
  const json = (raw: string, label: string, expect: BadCase["expect"] = 400) => at(label, { headers: { "content-type": "application/json" }, rawBody: raw }, expect);
  const body = base.options.body;
  cases.push(
    json('{"unterminated": ', "invalid JSON"),
    json("", "an empty body"),
    json("[]", "an array instead of an object"),
    json('"text"', "a string instead of an object"),
    json("null", "null instead of an object"),
    json(JSON.stringify(deepArray()), `arrays nested ${DEEP} deep as the whole body`),
    json(JSON.stringify(deeplyNested()), `objects nested ${DEEP} deep as the whole body`),
  );
  for (const path of strictObjectsOf(doc, schema, body)) {
    cases.push(at(`an unknown field at ${dotted(path) || "the top"}`, { body: setAt(body, [...path, "unexpectedField"], 1) }, 400));
  }
  if (resolve(doc, schema).additionalProperties === false) {
    const many = { ...(body as Record<string, unknown>) };
    for (let i = 0; i < 2_000; i++) many[`unexpected${i}`] = i;
    cases.push(at("2,000 unknown fields", { body: many }, 400));
  }
  for (const field of fieldsOf(doc, schema, body)) {
    const name = dotted(field.path);
    if (field.required) cases.push(at(`missing required ${name}`, { body: setAt(body, field.path, undefined, true) }, 400, name));
    const wrong = wrongTypeFor(doc, field.schema);
    if (wrong !== undefined) cases.push(at(`wrong type for ${name}`, { body: setAt(body, field.path, wrong) }, 400, name));
    if (typesOf(field.schema).includes("string")) {
      cases.push(at(`a ${OVERSIZE}-character ${name}`, { body: setAt(body, field.path, "x".repeat(OVERSIZE)) }, boundsStrings(field.schema) ? 400 : "<500"));
    }
    if (isFreeForm(field.schema)) {
      cases.push(at(`${name} nested ${DEEP} deep`, { body: setAt(body, field.path, deeplyNested()) }, 400, name));
    } else if (isFreeFormMap(doc, field.schema)) {
      cases.push(at(`${name} holding a value nested ${DEEP} deep`, { body: setAt(body, field.path, { deep: deeplyNested() }) }, 400, name));
    }
  }
  return cases;
}

function withSearch(path: string, name: string, value: string | undefined): string {
  const url = new URL(path, "http://x");
  if (value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

function queryCases(doc: OpenApiDocument, op: Operation, base: PreparedRequest): BadCase[] {
  const cases: BadCase[] = [];
  const with_ = (label: string, name: string, value: string | undefined, expect: BadCase["expect"]): BadCase => ({
    label,
    path: withSearch(base.path, name, value),
    options: base.options,
    expect,
    detailPath: expect === 400 ? name : undefined,
  });
  for (const param of op.parameters.filter((p) => p.in === "query")) {
    const schema = resolve(doc, param.schema);
    if (param.required) cases.push(with_(`missing required query ${param.name}`, param.name, undefined, 400));
    const types = typesOf(schema);
    if (types.includes("integer") || types.includes("number")) cases.push(with_(`query ${param.name} not a number`, param.name, "twelve", 400));
    if (schema.enum) cases.push(with_(`query ${param.name} not one of its values`, param.name, "not-an-option", 400));
    if (schema.format === "date-time") cases.push(with_(`query ${param.name} not a date-time`, param.name, "yesterday", 400));
    cases.push(with_(`a ${OVERSIZE}-character query ${param.name}`, param.name, "x".repeat(OVERSIZE), boundsStrings(schema) || !types.includes("string") ? 400 : "<500"));
    if (param.name === "cursor") {
      cases.push(with_("a cursor that is not one", "cursor", "!!not-a-cursor!!", 400));
      cases.push(with_("a forged cursor", "cursor", forgedCursor(), 400));
    }
  }
  return cases;
}

function pathCases(op: Operation, base: PreparedRequest, values: Record<string, string>): BadCase[] {
  return pathParams(op).flatMap((param) => {
    const known = values[param.name] ?? "";
    const swap = (value: string) => base.path.replace(encodeURIComponent(known), encodeURIComponent(value));
    const bounded = param.schema.maxLength !== undefined && param.schema.maxLength < 5_000;
    const cases: BadCase[] = [
      { label: `a 5,000-character ${param.name}`, path: swap("x".repeat(5_000)), options: base.options, expect: UUID.test(known) || bounded ? "4xx" : "<500" },
      { label: `${param.name} with quotes, a NUL and SQL`, path: swap(`x'"\u0000;-- OR 1=1`), options: base.options, expect: UUID.test(known) ? "4xx" : "<500" },
    ];
    if (UUID.test(known)) cases.push({ label: `${param.name} not a UUID`, path: swap("not-a-uuid"), options: base.options, expect: "4xx" });
    return cases;
  });
}

function headerCases(doc: OpenApiDocument, op: Operation, base: PreparedRequest): BadCase[] {
  return op.parameters
    .filter((p) => p.in === "header" && resolve(doc, p.schema).maxLength !== undefined)
    .map((param) => ({
      label: `a ${OVERSIZE}-character ${param.name} header`,
      path: base.path,
      options: { ...base.options, headers: { ...base.options.headers, [param.name]: "x".repeat(OVERSIZE) } },
      expect: 400 as const,
    }));
}

/** Every bad-input case of an operation, around a valid request whose path holds `values`. */
export function badInputCases(doc: OpenApiDocument, op: Operation, base: PreparedRequest, values: Record<string, string>): BadCase[] {
  return [...bodyCases(doc, op, base), ...queryCases(doc, op, base), ...pathCases(op, base, values), ...headerCases(doc, op, base)];
}
