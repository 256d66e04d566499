import { env } from "cloudflare:workers";
import { createSafeFetch } from "../../src/platform/lib/outbound-fetch";
import { callModel } from "../../src/providers/llm/client";
import { DATA_RULE, delimitData, newBoundary } from "../../src/providers/llm/delimit";
import type { JsonSchema, LlmClientConfig, LlmProvider, StructuredChannel } from "../../src/providers/llm/types";

/** The fake is on 127.0.0.1: the guard must allow loopback, exactly as the test Worker's ALLOW_LOOPBACK_FETCH does. */
export const loopbackFetch = createSafeFetch({ allowLoopback: true });

export const newId = () => crypto.randomUUID().slice(0, 12);

/** Where each provider's fake lives, with a scenario spec in the base URL (see test/fake-llm/scenario.ts). */
const PREFIX: Record<LlmProvider, string> = {
  openai: "openai/{spec}/v1",
  anthropic: "anthropic/{spec}",
  google: "google/{spec}/v1beta",
  deepseek: "deepseek/{spec}",
  "workers-ai": "cfai/{spec}",
  openai_compatible: "compat/{spec}/v1",
};

export const fakeBaseUrl = (provider: LlmProvider, spec: string) =>
  `${env.FAKE_PROVIDER_URL}/${PREFIX[provider].replace("{spec}", `~${spec.replace(/[/?#% ]/g, encodeURIComponent)}`)}`;

export function clientFor(provider: LlmProvider, spec: string, extra: Partial<LlmClientConfig> = {}): LlmClientConfig {
  return { provider, baseUrl: fakeBaseUrl(provider, spec), apiKey: "test-key-123456", accountId: "acc123", fetch: loopbackFetch, ...extra };
}

export const MODEL: Record<LlmProvider, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-sonnet-4-5-20250929",
  google: "gemini-2.5-flash",
  deepseek: "deepseek-chat",
  "workers-ai": "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  openai_compatible: "llama3.1:8b",
};

export const PROVIDERS = Object.keys(MODEL) as LlmProvider[];

export const companySchema: JsonSchema = {
  type: "object",
  properties: {
    legalName: { type: "string", description: "Registered name", identifying: true },
    founded: { type: "integer", minimum: 1800, maximum: 2030, expertise: "history" },
    revenueUsdM: { type: "number", expertise: "finance" },
    public: { type: "boolean", expertise: "finance" },
    sector: { type: "string", enum: ["tech", "health", "energy", "retail"] },
    website: { type: "string", format: "uri" },
    tags: { type: "array", items: { type: "string" }, maxItems: 5 },
    hq: {
      type: "object",
      properties: { city: { type: "string" }, country: { type: "string", minLength: 2, maxLength: 60 } },
      required: ["city"],
    },
  },
  required: ["legalName", "founded", "sector"],
};

export function userMessage(entity: unknown) {
  return delimitData("The entity:", entity, newBoundary());
}

export function callFake(provider: LlmProvider, spec: string, entity: unknown, options: { channel?: StructuredChannel; signal?: AbortSignal; model?: string; schema?: JsonSchema } = {}) {
  return callModel(clientFor(provider, spec, { channel: options.channel, signal: options.signal }), {
    model: options.model ?? MODEL[provider],
    system: `You enrich entities. ${DATA_RULE}`,
    user: userMessage(entity),
    jsonSchema: options.schema ?? companySchema,
    schemaName: "company_profile",
    maxOutputTokens: 1024,
    temperature: 0,
  });
}

export interface RecordedRequest {
  provider: string;
  model: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  outcome: string;
}

export async function recordedRequests(id: string): Promise<RecordedRequest[]> {
  return (await (await fetch(`${env.FAKE_PROVIDER_URL}/fake-llm/requests?id=${id}`)).json()) as RecordedRequest[];
}

export async function fakeCalls(id: string): Promise<{ total: number; byModel: Record<string, number>; byOutcome: Record<string, number> }> {
  return (await (await fetch(`${env.FAKE_PROVIDER_URL}/fake-llm/calls?id=${id}`)).json()) as {
    total: number;
    byModel: Record<string, number>;
    byOutcome: Record<string, number>;
  };
}

export async function scriptAnswers(id: string, answers: Record<string, Record<string, unknown>>) {
  const res = await fetch(`${env.FAKE_PROVIDER_URL}/fake-llm/script`, { method: "POST", body: JSON.stringify({ id, answers }) });
  if (res.status !== 204) throw new Error(`script refused: ${res.status}`);
}
