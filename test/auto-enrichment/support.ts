import { env } from "cloudflare:workers";
import { type TestOrg, call, createOrg } from "../helpers/api";

export const FINAL = ["succeeded", "partial", "failed", "skipped", "cancelled"];

/** A scenario of the `auto` fake: a fresh id plus `;key=value` options (conf, delay, title). */
export const scenario = (options: Record<string, string | number> = {}) =>
  [crypto.randomUUID(), ...Object.entries(options).map(([k, v]) => `${k}=${v}`)].join(";");

export interface AutoOrg extends TestOrg {
  scenario: string;
}

/** An organization whose `http_lookup` (and `http_lookup_alt`) call the `auto` fake under its own scenario. */
export async function autoOrg(
  opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number; options?: Record<string, string | number>; altOptions?: Record<string, string | number> } = {},
): Promise<AutoOrg> {
  const org = await createOrg({ billingMode: opts.billingMode, initialCredits: opts.initialCredits });
  const id = scenario(opts.options);
  await pointAt(org.adminKey, "http_lookup", id);
  await pointAt(org.adminKey, "http_lookup_alt", opts.altOptions ? scenario(opts.altOptions) : id);
  return { ...org, scenario: id };
}

export async function pointAt(key: string, code: string, id: string) {
  const res = await call("PUT", `/v1/integrations/${code}`, {
    key,
    body: { enabled: true, config: { baseUrl: `${env.FAKE_PROVIDER_URL}/auto/${encodeURIComponent(id)}/` } },
  });
  if (res.status !== 200) throw new Error(`point ${code}: ${res.status} ${res.text}`);
}

/** Calls the `auto` fake received under a scenario (by the entity name sent). */
export async function providerStats(id: string): Promise<{ calls: number; peak: number; byName: Record<string, number> }> {
  const first = id.split(";")[0] ?? id;
  return (await (await fetch(`${env.FAKE_PROVIDER_URL}/auto/${encodeURIComponent(first)}/stats`)).json()) as { calls: number; peak: number; byName: Record<string, number> };
}

/** The person-side configuration most tests use: http_lookup, jobTitle → title, companyName → companyName. */
export const personConfig = (person: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({
  enabled: true,
  entityTypes: {
    person: { integrationCodes: ["http_lookup"], fieldMapping: { jobTitle: "title", companyName: "companyName" }, ...person },
  },
  ...rest,
});

export async function putConfig(key: string, body: Record<string, unknown>) {
  const res = await call("PUT", "/v1/auto-enrichment/config", { key, body });
  if (res.status !== 200) throw new Error(`PUT config: ${res.status} ${res.text}`);
  return res.json;
}

export async function createPerson(key: string, attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/v1/entities", { key, body: { type: "person", attributes, ...extra } });
  if (res.status !== 201) throw new Error(`create person: ${res.status} ${res.text}`);
  return res.json.id as string;
}

export async function entityOf(key: string, id: string) {
  const res = await call("GET", `/v1/entities/${id}?include=provenance`, { key });
  if (res.status !== 200) throw new Error(`get entity: ${res.status} ${res.text}`);
  return res.json;
}

export async function jobsOf(key: string, query = "") {
  const res = await call("GET", `/v1/auto-enrichment/jobs?limit=200${query ? `&${query}` : ""}`, { key });
  if (res.status !== 200) throw new Error(`list jobs: ${res.status} ${res.text}`);
  return res.json.data as any[];
}

/** Polls until `done` holds for the answer (the queue works in the background). */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 800)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The entity's jobs once `count` of them are final (newest first). */
export const finishedJobs = (key: string, entityId: string, count = 1) =>
  until(
    () => jobsOf(key, `entityId=${entityId}`),
    (jobs) => jobs.filter((j) => FINAL.includes(j.status)).length >= count,
    `${count} finished job(s) of ${entityId}`,
  );

export async function conflictsOf(key: string, query = "") {
  const res = await call("GET", `/v1/auto-enrichment/conflicts?limit=200${query ? `&${query}` : ""}`, { key });
  if (res.status !== 200) throw new Error(`list conflicts: ${res.status} ${res.text}`);
  return res.json.data as any[];
}

export async function chargesOf(orgId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM credit_transactions WHERE org_id = ? AND type = 'charge'")
    .bind(orgId)
    .all<{ id: string; amount: number; enrichment_id: string; job_id: string; integration_code: string }>();
  return results;
}
