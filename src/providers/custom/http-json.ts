import type { customIntegrations } from "../../db/schema/catalog";
import { noData, systemError } from "../errors";
import { isEmpty } from "../field-dictionary";
import { asNumber, callProvider, clamp01, completenessOf, redactSecrets, trimForStorage } from "../adapters/provider-call";
import type { Integration, IntegrationContext, IntegrationInput, IntegrationOutput } from "../types";
import { secretNamesOf } from "./definition";
import { parseJsonPath, readJsonPath } from "./json-path";
import { type Placeholder, substitute, substituteJson } from "./template";

type Row = typeof customIntegrations.$inferSelect;

/** Confidence of a custom source when its definition names none. */
const DEFAULT_CONFIDENCE = 0.7;

function resolverFor(input: IntegrationInput, credentials: Record<string, string>) {
  return (p: Placeholder): unknown => {
    switch (p.kind) {
      case "attribute":
        return input.attributes[p.name];
      case "custom": {
        const custom = input.attributes.custom;
        return custom && typeof custom === "object" ? (custom as Record<string, unknown>)[p.name] : undefined;
      }
      case "params":
        return input.params[p.name];
      case "secrets":
        return credentials[p.name];
    }
  };
}

function isNoData(answer: unknown, condition: Row["definition"]["noData"][number]): boolean {
  const value = readJsonPath(answer, parseJsonPath(condition.path));
  if (condition.when === "missing") return value === undefined || value === null;
  if (condition.when === "empty") return isEmpty(value);
  return JSON.stringify(value) === JSON.stringify(condition.value);
}

function confidenceOf(answer: unknown, spec: Row["definition"]["confidence"]): number {
  if (spec.path) {
    const raw = readJsonPath(answer, parseJsonPath(spec.path));
    const n = asNumber(typeof raw === "string" ? Number(raw) : raw);
    if (n !== undefined) return clamp01(n / (spec.scale ?? 1));
  }
  return spec.value ?? DEFAULT_CONFIDENCE;
}

async function callDefinedProvider(row: Row, input: IntegrationInput, ctx: IntegrationContext): Promise<IntegrationOutput> {
  const d = row.definition;
  const resolve = resolverFor(input, ctx.credentials);
  const url = new URL(substitute(d.urlTemplate, resolve, encodeURIComponent));
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(d.headers)) {
    const value = substitute(template, resolve);
    if (/[\r\n]/.test(value)) throw systemError(`Header ${name} would contain a line break`);
    headers[name.toLowerCase()] = value;
  }
  const answer = await callProvider(ctx, url, {
    method: d.method,
    headers,
    json: d.method === "POST" && d.bodyTemplate !== null ? substituteJson(d.bodyTemplate, resolve) : undefined,
  });
  if (d.noData.some((c) => isNoData(answer.body, c))) throw noData("The provider's answer met the no-data condition");
  const fields: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(d.mapping)) {
    const value = readJsonPath(answer.body, parseJsonPath(path));
    if (!isEmpty(value)) fields[field] = trimForStorage(value);
  }
  if (Object.keys(fields).length === 0) throw noData("None of the mapped paths had a value");
  // Providers sometimes echo the request; nothing kept may hold a secret.
  const redacted = <T>(value: T) => JSON.parse(redactSecrets(JSON.stringify(value), ctx.credentials)) as T;
  return {
    fields: redacted(fields),
    enrichmentData: { status: answer.status, response: redacted(trimForStorage(answer.body)) },
    dataQuality: { completeness: completenessOf(fields, Object.keys(d.mapping)), confidence: confidenceOf(answer.body, d.confidence) },
    summary: `Mapped ${Object.keys(fields).join(", ")}`,
  };
}

/** An organization's `http_json` integration, built from its stored definition. */
export function httpJsonIntegration(row: Row): Integration {
  const d = row.definition;
  return {
    code: row.code,
    name: row.name,
    description: row.description ?? `Custom HTTP JSON integration (${d.method} ${new URL(d.urlTemplate.replace(/\{\{.*?\}\}/g, "x")).host})`,
    entityTypes: row.entityTypes,
    inputs: row.inputs,
    outputs: Object.keys(d.mapping),
    credits: row.credits,
    costCents: row.costCents,
    timeoutMs: row.timeoutMs,
    retry: { maxAttempts: 2, baseDelayMs: 250 },
    maxConcurrency: 5,
    // Never global: the answer comes from this organization's own source.
    cache: row.cacheTtlSeconds ? { ttlSeconds: row.cacheTtlSeconds, scope: "organization" } : null,
    credentialNames: secretNamesOf(d),
    enabledByDefault: true,
    lookupKey(input) {
      // Secrets stay out of the key; a changed definition starts afresh.
      const resolve = resolverFor(input, {});
      const headers = Object.values(d.headers).map((h) => substitute(h, resolve));
      return JSON.stringify([row.updatedAt, substitute(d.urlTemplate, resolve), substituteJson(d.bodyTemplate, resolve), headers]);
    },
    async execute(input, ctx) {
      try {
        return await callDefinedProvider(row, input, ctx);
      } catch (error) {
        // Secrets may sit in the URL's query; no failure message may carry one.
        if (error instanceof Error) error.message = redactSecrets(error.message, ctx.credentials);
        throw error;
      }
    },
  };
}
