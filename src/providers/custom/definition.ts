import type { HttpJsonDefinition } from "../../db/schema/catalog";
import { type EntityType, companyAttributesSchema, personAttributesSchema } from "../../domain/attributes";
import { ApiError } from "../../platform/errors";
import { type OutboundPolicy, OutboundUrlError, assertOutboundUrl } from "../../platform/lib/outbound-fetch";
import { FIELD_DICTIONARY, isKnownField } from "../field-dictionary";
import { JsonPathError, parseJsonPath } from "./json-path";
import { type Placeholder, TemplateError, placeholdersIn, stringsOf } from "./template";

/** What `POST /v1/integrations/custom` accepts once the request schema applied its defaults. */
export interface CustomIntegrationInput {
  code: string;
  name: string;
  description?: string | null;
  entityTypes: EntityType[];
  inputs?: string[][];
  method: "GET" | "POST";
  urlTemplate: string;
  headers: Record<string, string>;
  bodyTemplate?: unknown;
  mapping: Record<string, string>;
  noData: HttpJsonDefinition["noData"];
  confidence?: HttpJsonDefinition["confidence"];
  credits: number;
  costCents: number;
  timeoutMs: number;
  cacheTtlSeconds: number | null;
}

export const MAX_BODY_TEMPLATE_BYTES = 16 * 1024;

const ATTRIBUTES: Record<EntityType, Set<string>> = {
  person: new Set(Object.keys(personAttributesSchema.in.shape)),
  company: new Set(Object.keys(companyAttributesSchema.in.shape)),
};

/** Headers that carry credentials must take them from the encrypted secrets, never as literal text. */
const SENSITIVE_HEADER = /authorization|api[-_]?key|token|secret|password|cookie/i;
const FORBIDDEN_HEADERS = new Set(["host", "content-length", "connection", "transfer-encoding", "upgrade"]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

interface Problem {
  path: string;
  message: string;
}

function collectPlaceholders(path: string, texts: string[], problems: Problem[]): Placeholder[] {
  const found: Placeholder[] = [];
  for (const text of texts) {
    try {
      found.push(...placeholdersIn(text));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ path, message: error.message });
    }
  }
  return found;
}

function checkPlaceholders(path: string, placeholders: Placeholder[], entityTypes: EntityType[], problems: Problem[]) {
  for (const p of placeholders) {
    if (p.kind === "attribute" && (p.name === "custom" || !entityTypes.some((t) => ATTRIBUTES[t].has(p.name)))) {
      problems.push({ path, message: `'{{${p.name}}}' is not an attribute of ${entityTypes.join(" or ")} entities` });
    }
  }
}

function checkUrl(input: CustomIntegrationInput, policy: OutboundPolicy, problems: Problem[]) {
  const parts = /^(https?):\/\/([^/?#]*)/i.exec(input.urlTemplate);
  if (!parts) return problems.push({ path: "urlTemplate", message: "Must be an absolute http(s) URL" });
  // The host decides where requests (and secrets) go, so it is never left to entity data.
  if ((parts[2] ?? "").includes("{{")) return problems.push({ path: "urlTemplate", message: "The host cannot be a placeholder" });
  try {
    assertOutboundUrl(input.urlTemplate.replace(/\{\{.*?\}\}/g, "x"), policy);
  } catch (error) {
    if (!(error instanceof OutboundUrlError) && !(error instanceof TypeError)) throw error;
    problems.push({ path: "urlTemplate", message: `Refused by the outbound URL guard: ${error.message}` });
  }
}

function checkHeaders(input: CustomIntegrationInput, problems: Problem[]) {
  for (const [name, value] of Object.entries(input.headers)) {
    const path = `headers.${name}`;
    if (!HEADER_NAME.test(name) || FORBIDDEN_HEADERS.has(name.toLowerCase())) problems.push({ path, message: `'${name}' cannot be set` });
    if (/[\r\n]/.test(value)) problems.push({ path, message: "Header values cannot contain line breaks" });
    if (SENSITIVE_HEADER.test(name) && !/\{\{\s*secrets\./.test(value)) {
      problems.push({ path, message: "Credentials go in the integration's secrets: reference them as {{secrets.NAME}}" });
    }
  }
}

function checkMapping(input: CustomIntegrationInput, problems: Problem[]) {
  const entries = Object.entries(input.mapping);
  if (entries.length === 0) problems.push({ path: "mapping", message: "Map at least one field" });
  for (const [field, path] of entries) {
    if (!isKnownField(field)) {
      problems.push({ path: `mapping.${field}`, message: "Not a field of the field dictionary (GET /v1/integrations/fields) nor custom.<name>" });
      continue;
    }
    const known = Object.hasOwn(FIELD_DICTIONARY, field) ? FIELD_DICTIONARY[field as keyof typeof FIELD_DICTIONARY] : null;
    if (known && !input.entityTypes.some((t) => (known.entityTypes as readonly EntityType[]).includes(t))) {
      problems.push({ path: `mapping.${field}`, message: `'${field}' is a ${known.entityTypes.join("/")} field` });
    }
    checkPath(`mapping.${field}`, path, problems);
  }
}

function checkPath(at: string, path: string, problems: Problem[]) {
  try {
    parseJsonPath(path);
  } catch (error) {
    if (!(error instanceof JsonPathError)) throw error;
    problems.push({ path: at, message: error.message });
  }
}

function inputsOf(input: CustomIntegrationInput, placeholders: Placeholder[], problems: Problem[]): string[][] {
  if (input.inputs) {
    input.inputs.forEach((set, i) => {
      for (const name of set) {
        if (!input.entityTypes.some((t) => ATTRIBUTES[t].has(name))) problems.push({ path: `inputs.${i}`, message: `'${name}' is not an attribute` });
      }
    });
    return input.inputs;
  }
  const needed = [...new Set(placeholders.filter((p) => p.kind === "attribute").map((p) => p.name))].sort();
  return needed.length > 0 ? [needed] : [];
}

export interface CheckedDefinition {
  definition: HttpJsonDefinition;
  inputs: string[][];
}

/** Everything a definition must satisfy beyond its JSON shape; all problems are reported at once. */
export function checkDefinition(input: CustomIntegrationInput, policy: OutboundPolicy): CheckedDefinition {
  const problems: Problem[] = [];
  checkUrl(input, policy, problems);
  checkHeaders(input, problems);
  checkMapping(input, problems);
  input.noData.forEach((c, i) => {
    checkPath(`noData.${i}.path`, c.path, problems);
    if (c.when === "equals" && c.value === undefined) problems.push({ path: `noData.${i}.value`, message: "'equals' needs a value" });
  });
  if (input.confidence?.path) checkPath("confidence.path", input.confidence.path, problems);
  const body = input.bodyTemplate ?? null;
  if (body !== null && input.method === "GET") problems.push({ path: "bodyTemplate", message: "GET requests have no body" });
  if (body !== null && new TextEncoder().encode(JSON.stringify(body)).byteLength > MAX_BODY_TEMPLATE_BYTES) {
    problems.push({ path: "bodyTemplate", message: `At most ${MAX_BODY_TEMPLATE_BYTES} bytes` });
  }

  const urlPlaceholders = collectPlaceholders("urlTemplate", [input.urlTemplate], problems);
  const headerPlaceholders = Object.entries(input.headers).flatMap(([name, value]) => {
    const found = collectPlaceholders(`headers.${name}`, [value], problems);
    checkPlaceholders(`headers.${name}`, found, input.entityTypes, problems);
    return found;
  });
  const bodyPlaceholders = collectPlaceholders("bodyTemplate", stringsOf(body), problems);
  checkPlaceholders("urlTemplate", urlPlaceholders, input.entityTypes, problems);
  checkPlaceholders("bodyTemplate", bodyPlaceholders, input.entityTypes, problems);
  const inputs = inputsOf(input, [...urlPlaceholders, ...headerPlaceholders, ...bodyPlaceholders], problems);

  if (problems.length > 0) throw new ApiError("VALIDATION_ERROR", "Invalid custom integration", { details: problems });
  return {
    definition: {
      method: input.method,
      urlTemplate: input.urlTemplate,
      headers: input.headers,
      bodyTemplate: body,
      mapping: input.mapping,
      noData: input.noData,
      confidence: input.confidence ?? {},
    },
    inputs,
  };
}

/** The credential names a definition references; the integration cannot run until they are configured. */
export function secretNamesOf(definition: HttpJsonDefinition): string[] {
  const texts = [definition.urlTemplate, ...Object.values(definition.headers), ...stringsOf(definition.bodyTemplate)];
  const names = texts.flatMap((t) => placeholdersIn(t).filter((p) => p.kind === "secrets").map((p) => p.name));
  return [...new Set(names)].sort();
}
