import { mapJsonLeaves } from "../../platform/lib/json-limits";

/**
 * `{{name}}` placeholders of custom integrations: `{{email}}` (an entity attribute), `{{custom.key}}`
 * (a custom attribute), `{{params.name}}` (the request's params) and `{{secrets.NAME}}` (a credential).
 */
export type PlaceholderKind = "attribute" | "custom" | "params" | "secrets";

export interface Placeholder {
  kind: PlaceholderKind;
  name: string;
}

export class TemplateError extends Error {}

const ANY = /\{\{(.*?)\}\}/g;
const GRAMMAR = /^\s*(?:(custom|params|secrets)\.)?([A-Za-z][A-Za-z0-9_]{0,99})\s*$/;

function parse(inner: string): Placeholder {
  const m = GRAMMAR.exec(inner);
  if (!m?.[2]) throw new TemplateError(`'{{${inner}}}' is not a placeholder (use {{attribute}}, {{custom.key}}, {{params.name}} or {{secrets.NAME}})`);
  return { kind: (m[1] as PlaceholderKind | undefined) ?? "attribute", name: m[2] };
}

export function placeholdersIn(text: string): Placeholder[] {
  const found = [...text.matchAll(ANY)].map((m) => parse(m[1] ?? ""));
  if (text.replace(ANY, "").includes("{{")) throw new TemplateError("Unclosed '{{' placeholder");
  return found;
}

/** Every string in a JSON template (values only; keys are literal), in document order. Iterative: templates come from requests. */
export function stringsOf(value: unknown): string[] {
  const found: string[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === "string") found.push(v);
    else if (v !== null && typeof v === "object") {
      const values = Object.values(v);
      for (let i = values.length - 1; i >= 0; i--) pending.push(values[i]);
    }
  }
  return found;
}

export type Resolve = (placeholder: Placeholder) => unknown;

const asText = (value: unknown): string => {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
};

export function substitute(text: string, resolve: Resolve, encode: (s: string) => string = (s) => s): string {
  return text.replace(ANY, (_, inner: string) => encode(asText(resolve(parse(inner)))));
}

function substituteString(template: string, resolve: Resolve): unknown {
  const whole = /^\{\{([^{}]*)\}\}$/.exec(template);
  if (whole) return resolve(parse(whole[1] ?? "")) ?? null;
  return substitute(template, resolve);
}

/** A string that is exactly one placeholder keeps the value's JSON type; others interpolate as text. */
export function substituteJson(template: unknown, resolve: Resolve): unknown {
  return mapJsonLeaves(template, (leaf) => (typeof leaf === "string" ? substituteString(leaf, resolve) : leaf));
}
