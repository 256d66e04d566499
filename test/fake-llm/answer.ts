import { hashOf } from "./scenario";

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);
const typesOf = (n: Node): string[] => (typeof n.type === "string" ? [n.type] : Array.isArray(n.type) ? (n.type as string[]) : []);
const mainType = (n: Node) => typesOf(n).find((t) => t !== "null");

export interface AnswerContext {
  /** The entity data of the prompt (whitespace-normalized). */
  entity: string;
  model: string;
  /** Percent of fields on which this model departs from the consensus value. */
  wrongPct: number;
  /** Scripted values: model (or "*") → dotted path → value. */
  script?: Record<string, Record<string, unknown>>;
}

const WORDS = ["Atlas", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen"];

/**
 * A keyword the node has, or that a provider dialect moved into its description (`(format: "uri"; minLength: 2)`):
 * the fake reads those notes as a real model would.
 */
function keyword(node: Node, name: string): unknown {
  if (node[name] !== undefined) return node[name];
  const note = typeof node.description === "string" ? new RegExp(`${name}: ("[^"]*"|[\\d.]+)`).exec(node.description) : null;
  return note?.[1] === undefined ? undefined : JSON.parse(note[1]);
}

/** The value every model agrees on for this entity and path (its "truth" in the fake's world). */
function consensus(node: Node, path: string, ctx: AnswerContext): unknown {
  const h = hashOf(ctx.entity, path);
  const values = Array.isArray(node.enum) ? node.enum.filter((v) => v !== null) : [];
  if (values.length > 0) return values[h % values.length];
  const minimum = keyword(node, "minimum");
  const maximum = keyword(node, "maximum");
  const min = typeof minimum === "number" ? minimum : undefined;
  const max = typeof maximum === "number" ? maximum : undefined;
  switch (mainType(node)) {
    case "integer":
      return min !== undefined && max !== undefined ? min + (h % (max - min + 1)) : 1 + (h % 10_000);
    case "number":
      return min !== undefined && max !== undefined ? min + ((h % 1000) / 1000) * (max - min) : 1 + (h % 1_000_000) / 100;
    case "boolean":
      return h % 2 === 0;
    case "string":
      return stringValue(node, path, h);
    default:
      return null;
  }
}

function stringValue(node: Node, path: string, h: number): string {
  const day = `20${10 + (h % 15)}-0${1 + (h % 9)}-1${h % 9}`;
  switch (keyword(node, "format")) {
    case "date":
      return day;
    case "date-time":
      return `${day}T12:00:00Z`;
    case "email":
      return `contact${h % 1000}@example.com`;
    case "uri":
      return `https://example.com/${path.replace(/\W+/g, "-")}/${h % 1000}`;
    case "uuid": {
      const x = hashOf(String(h), "uuid").toString(16).padStart(8, "0");
      return `${x}-0000-4000-8000-${x}${x.slice(0, 4)}`;
    }
  }
  let s = `${WORDS[h % WORDS.length]} ${WORDS[(h >> 4) % WORDS.length]} ${h % 97}`;
  const maxLength = keyword(node, "maxLength");
  const minLength = keyword(node, "minLength");
  if (typeof maxLength === "number") s = s.slice(0, maxLength);
  if (typeof minLength === "number") s = s.padEnd(minLength, "x");
  return s;
}

/** A value this model gives instead of the consensus: different after any normalization. */
function departure(node: Node, value: unknown, path: string, ctx: AnswerContext): unknown {
  const m = hashOf(ctx.model, path);
  const values = Array.isArray(node.enum) ? node.enum.filter((v) => v !== null) : [];
  if (values.length > 1) return values[(values.indexOf(value) + 1 + (m % (values.length - 1))) % values.length];
  if (typeof value === "boolean") return !value;
  if (typeof value === "number") return mainType(node) === "integer" ? value + 1 + (m % 50) : Math.round(value * 130 + 100) / 100;
  if (typeof value === "string") return keyword(node, "format") ? value.replace(/\d/, (d) => String((Number(d) + 1 + (m % 8)) % 10)) : `${WORDS[m % WORDS.length]} Other ${m % 89}`;
  return value;
}

/** A cosmetic difference the fusion's normalization must see through (case, spacing, a 0.1 % wobble). */
function cosmetic(node: Node, value: unknown, ctx: AnswerContext): unknown {
  const style = hashOf(ctx.model, "style") % 3;
  if (typeof value === "string" && !node.enum && !keyword(node, "format")) return style === 1 ? value.toLowerCase() : style === 2 ? `${value.toUpperCase()} ` : value;
  if (typeof value === "number" && mainType(node) === "number") return Math.round(value * (1 + (style - 1) * 0.001) * 100) / 100;
  return value;
}

function scripted(path: string, ctx: AnswerContext): { found: boolean; value?: unknown } {
  for (const who of [ctx.model, "*"]) {
    const entry = ctx.script?.[who];
    if (entry && path in entry) return { found: true, value: entry[path] };
  }
  return { found: false };
}

function leaf(node: Node, path: string, optional: boolean, ctx: AnswerContext, depth: number): unknown {
  const s = scripted(path, ctx);
  if (s.found) return s.value;
  const type = mainType(node);
  if (type === "object") return objectValue(node, path, ctx, depth + 1);
  if (optional && hashOf(ctx.entity, path, "absent") % 10 === 0) return null;
  if (type === "array") {
    const items = isNode(node.items) ? node.items : { type: "string" };
    const minItems = typeof node.minItems === "number" ? node.minItems : 1;
    const maxItems = typeof node.maxItems === "number" ? node.maxItems : 3;
    const n = Math.max(minItems, Math.min(maxItems, 1 + (hashOf(ctx.entity, path, "n") % 3)));
    const list = Array.from({ length: n }, (_, i) =>
      mainType(items) === "object" ? objectValue(items, `${path}[${i}]`, ctx, depth + 1) : consensus(items, `${path}[${i}]`, ctx),
    );
    const wrong = hashOf(ctx.model, path, "wrong") % 100 < ctx.wrongPct;
    return wrong && mainType(items) !== "object" ? [...list.slice(1), departure(items, list[0], `${path}[0]`, ctx)] : list;
  }
  const value = consensus(node, path, ctx);
  const wrong = hashOf(ctx.model, path, "wrong") % 100 < ctx.wrongPct;
  return wrong ? departure(node, value, path, ctx) : cosmetic(node, value, ctx);
}

function objectValue(node: Node, prefix: string, ctx: AnswerContext, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 12 || !isNode(node.properties)) return out;
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  for (const [key, child] of Object.entries(node.properties)) {
    if (!isNode(child)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const optional = !required.has(key) || typesOf(child).includes("null");
    out[key] = leaf(child, path, optional, ctx, depth);
  }
  return out;
}

/** The model's answer for this entity: a function of (model, schema, entity data) and the test's script. */
export const answerFor = (schema: Node, ctx: AnswerContext) => objectValue(schema, "", ctx, 0);

/** An answer that breaks the schema: each top-level value of the wrong type. */
export function schemaBreaking(schema: Node): Record<string, unknown> {
  const props = isNode(schema.properties) ? Object.entries(schema.properties) : [];
  if (props.length === 0) return { unexpected: true };
  return Object.fromEntries(
    props.map(([k, child]) => {
      const t = isNode(child) ? mainType(child) : undefined;
      return [k, t === "string" ? 12345 : t === "number" || t === "integer" ? "not a number" : t === "boolean" ? "maybe" : "wrong"];
    }),
  );
}

export const isSchemaNode = isNode;
