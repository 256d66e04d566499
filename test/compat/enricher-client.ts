import { env } from "cloudflare:workers";
import { type CallResult, call } from "../helpers/api";
import { llmOrg } from "../llm/run-helpers";
import { SCHEMA_BODY } from "./enricher-schema";

export { SCHEMA_BODY };

/** An Entity Enricher call: the key in X-API-Key, as its document says. */
export function enricher(method: string, path: string, key: string | undefined, body?: unknown): Promise<CallResult> {
  return call(method, path, { ...(body === undefined ? {} : { body }), headers: key === undefined ? {} : { "x-api-key": key } });
}

export interface EnricherEvent {
  id: string | null;
  json: Record<string, any>;
}

/** The `data: {json}` frames of an Entity Enricher stream, in order (comments and retry hints left out). */
export function dataFrames(text: string): EnricherEvent[] {
  return text
    .split("\n\n")
    .filter((frame) => frame.split("\n").some((l) => l.startsWith("data: ")))
    .map((frame) => {
      const lines = frame.split("\n");
      const id = lines.find((l) => l.startsWith("id: "))?.slice(4) ?? null;
      return { id, json: JSON.parse(lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null") };
    });
}

export const typesOf = (events: EnricherEvent[]) => events.map((e) => e.json.type as string);

/** The whole stream of a job (it ends with `completed`). */
export async function streamOf(key: string, jobId: string): Promise<EnricherEvent[]> {
  const res = await enricher("GET", `/api/llm/stream/${jobId}`, key);
  if (res.status !== 200) throw new Error(`stream: ${res.status} ${res.text}`);
  return dataFrames(res.text);
}

/** The document's model keys, `anthropic::…` and `openai::gpt-4o`, answered by the fake LLM servers for this organization. */
export async function enricherOrg(opts: { spec?: string; billingMode?: "prepaid" | "postpaid"; initialCredits?: number } = {}) {
  const org = await llmOrg(opts);
  const spec = encodeURIComponent([`id=${org.fakeId}`, "wrong=0", opts.spec].filter(Boolean).join(";"));
  for (const [provider, baseUrl] of [
    ["anthropic", `${env.FAKE_PROVIDER_URL}/anthropic/~${spec}`],
    ["openai", `${env.FAKE_PROVIDER_URL}/openai/~${spec}/v1`],
  ]) {
    const res = await call("PUT", `/v1/llm/providers/${provider}`, { key: org.adminKey, body: { apiKey: `test-${provider}-key-123456`, baseUrl } });
    if (res.status !== 201 && res.status !== 200) throw new Error(`configure ${provider}: ${res.status} ${res.text}`);
  }
  return org;
}

export const CLAUDE = "anthropic::claude-sonnet-4-5-20250514";
export const GPT = "openai::gpt-4o";

export async function savedSchema(key: string): Promise<string> {
  const res = await enricher("POST", "/api/schema/saved", key, SCHEMA_BODY);
  if (res.status !== 200) throw new Error(`schema: ${res.status} ${res.text}`);
  return res.json.id;
}
