import { env } from "cloudflare:workers";
import { type TestOrg, call, createOrg } from "../helpers/api";
import { SseReader, type SseFrame, waitForJob } from "../jobs/helpers";
import { newId, scriptAnswers } from "./helpers";

export { newId, scriptAnswers };
export type { SseFrame };

/** Prices of the fake compatible server's models (USD per million tokens): round numbers, so costs are easy to check. */
export const PRICES = { input: 2, output: 8 };

/** A schema with two domains and identifying, nested, array, enum and multilingual fields. */
export const COMPANY_SCHEMA = {
  name: "Company profile",
  entityType: "company",
  expertiseDomains: { history: { name: "History", description: "Founding and milestones" }, finance: { name: "Finance", description: "Revenue and listing" } },
  jsonSchema: {
    type: "object",
    properties: {
      legalName: { type: "string", description: "Registered legal name", identifying: true },
      founded: { type: "integer", minimum: 1800, maximum: 2030, expertise: "history" },
      revenueUsdM: { type: "number", description: "Revenue, USD millions", expertise: "finance" },
      listed: { type: "boolean", expertise: "finance" },
      sector: { type: "string", enum: ["tech", "health", "energy", "retail"] },
      tags: { type: "array", items: { type: "string" }, maxItems: 4 },
    },
    required: ["legalName"],
  },
};

export interface LlmOrg extends TestOrg {
  /** The fake's scenario id for this org's provider (counts, recorded requests, scripts). */
  fakeId: string;
  /** The org's OpenAI-compatible provider name: its models are `<provider>::alpha`, `::beta`, `::gamma`, `::judge`. */
  provider: string;
}

/**
 * An organization with an OpenAI-compatible provider named `fake` on the fake LLM server (JSON-schema structured
 * output, fixed prices), scoped by a fresh scenario id; `spec` adds scenario keys (`latency=…`, `fail=…`).
 */
export async function llmOrg(opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number; spec?: string; maxConcurrency?: number } = {}): Promise<LlmOrg> {
  const org = await createOrg(opts);
  const fakeId = newId();
  const spec = [`id=${fakeId}`, "wrong=0", opts.spec].filter(Boolean).join(";");
  const models = ["alpha", "beta", "gamma", "judge"].map((model) => ({ model, inputPerMTok: PRICES.input, outputPerMTok: PRICES.output, structuredOutput: true }));
  const res = await call("PUT", "/v1/llm/providers/fake", {
    key: org.adminKey,
    body: { baseUrl: `${env.FAKE_PROVIDER_URL}/compat/~${encodeURIComponent(spec)}/v1`, models, ...(opts.maxConcurrency ? { maxConcurrency: opts.maxConcurrency } : {}) },
  });
  if (res.status !== 201) throw new Error(`configure the fake provider: ${res.status} ${res.text}`);
  return { ...org, fakeId, provider: "fake" };
}

export async function createSchema(key: string, body: Record<string, unknown> = COMPANY_SCHEMA): Promise<{ id: string; version: number }> {
  const res = await call("POST", "/v1/llm/schemas", { key, body });
  if (res.status !== 201) throw new Error(`create schema: ${res.status} ${res.text}`);
  return res.json;
}

export function startRun(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("POST", "/v1/llm/enrichments", { key, body, headers });
}

/** Starts a run and waits for its job to end; answers the job and the creation answer. */
export async function runToEnd(key: string, body: Record<string, unknown>) {
  const res = await startRun(key, body);
  if (res.status !== 202) throw new Error(`start run: ${res.status} ${res.text}`);
  const job = await waitForJob(key, res.json.jobId);
  return { created: res.json, job };
}

export async function records(key: string, query: string): Promise<any[]> {
  const res = await call("GET", `/v1/llm/records?limit=200&${query}`, { key });
  if (res.status !== 200) throw new Error(`records: ${res.status} ${res.text}`);
  return res.json.data;
}

export async function record(key: string, id: string): Promise<any> {
  const res = await call("GET", `/v1/llm/records/${id}`, { key });
  if (res.status !== 200) throw new Error(`record: ${res.status} ${res.text}`);
  return res.json;
}

/** The job's whole event stream (it is finished, so the stream replays and closes). */
export async function jobEvents(key: string, jobId: string): Promise<SseFrame[]> {
  const { exports } = await import("cloudflare:workers");
  const res = await exports.default.fetch(new Request(`http://dossier.test/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${key}` } }));
  return new SseReader(res).events();
}

export async function fakeStats(id: string): Promise<{ total: number; byModel: Record<string, number>; byOutcome: Record<string, number>; peakInFlight: number }> {
  return (await (await fetch(`${env.FAKE_PROVIDER_URL}/fake-llm/calls?id=${id}`)).json()) as { total: number; byModel: Record<string, number>; byOutcome: Record<string, number>; peakInFlight: number };
}

export async function fakeRequests(id: string): Promise<{ provider: string; model: string; headers: Record<string, string>; body: any; outcome: string }[]> {
  return (await (await fetch(`${env.FAKE_PROVIDER_URL}/fake-llm/requests?id=${id}`)).json()) as { provider: string; model: string; headers: Record<string, string>; body: any; outcome: string }[];
}

/** Credits charged by the ledger for a job (charges are negative amounts). */
export async function jobCharges(orgId: string, jobId: string) {
  const rows = await env.DB.prepare("SELECT enrichment_id AS source, -amount AS credits, integration_code AS code FROM credit_transactions WHERE org_id = ? AND job_id = ? AND type = 'charge'")
    .bind(orgId, jobId)
    .all<{ source: string; credits: number; code: string }>();
  return rows.results;
}
