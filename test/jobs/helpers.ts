import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../src/index";
import { createDb } from "../../src/platform/db/client";
import type { EnrichmentJob } from "../../src/features/jobs/engine/enrichment-job";
import { getJobStub } from "../../src/features/jobs/engine/stub";
import type { IntegrationJobSpec as JobSpec, JobTaskMessage } from "../../src/features/jobs/integration-task/spec";
import { type JobRequest, prepareJob } from "../../src/features/jobs/create";
import { call } from "../helpers/api";
import { lookupOrg } from "../helpers/enrichment";
import { SseReader } from "./sse-reader";

export { type SseFrame, SseReader } from "./sse-reader";

/** Runs the Worker's real queue handler on hand-made provider-calls messages (a delivery, or a redelivery). */
export async function deliverTasks(messages: JobTaskMessage[]) {
  const batch = createMessageBatch(
    "provider-calls",
    messages.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { batch, result: await getQueueResult(batch, ctx) };
}

export const TERMINAL = ["completed", "failed", "cancelled"];

/** A unique scenario for the `slow` fake: `id=<uuid>;delay=<ms>`. */
export const slowScenario = (delayMs = 0) => `id=${crypto.randomUUID()};delay=${delayMs}`;

export async function slowStats(scenario: string): Promise<{ calls: number; active: number; peak: number }> {
  const url = new URL("/slow/stats", env.FAKE_PROVIDER_URL);
  url.searchParams.set("scenario", scenario);
  return (await (await fetch(url)).json()) as { calls: number; active: number; peak: number };
}

/** An organization whose http_lookup integrations call the `slow` fake (per-entity behaviour by name). */
export async function slowOrg(opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number } = {}) {
  const org = await lookupOrg(opts);
  for (const code of ["http_lookup", "http_lookup_alt"]) {
    const res = await call("PUT", `/v1/integrations/${code}`, {
      key: org.adminKey,
      body: { enabled: true, config: { baseUrl: new URL("/slow/", env.FAKE_PROVIDER_URL).toString() } },
    });
    if (res.status !== 200) throw new Error(`point ${code} at the slow fake: ${res.status} ${res.text}`);
  }
  return org;
}

export const people = (names: string[]) =>
  names.map((name, i) => ({ type: "person" as const, externalId: `p-${i}-${crypto.randomUUID()}`, attributes: { fullName: name } }));

export function postJob(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("POST", "/v1/jobs", { key, body, headers });
}

export async function getJob(key: string, jobId: string) {
  const res = await call("GET", `/v1/jobs/${jobId}`, { key });
  if (res.status !== 200) throw new Error(`get job: ${res.status} ${res.text}`);
  return res.json;
}

/** Polls until the job reaches one of `statuses` (the queue and the object work in the background). */
export async function waitForJob(key: string, jobId: string, statuses = TERMINAL, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const job = await getJob(key, jobId);
    if (statuses.includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${job.status}: ${JSON.stringify(job.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 20_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function allResults(key: string, jobId: string, limit = 200) {
  const rows: any[] = [];
  let cursor: string | null = null;
  do {
    const res = await call("GET", `/v1/jobs/${jobId}/results?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { key });
    if (res.status !== 200) throw new Error(`results: ${res.status} ${res.text}`);
    rows.push(...res.json.data);
    cursor = res.json.nextCursor;
  } while (cursor);
  return rows;
}

/** Credits charged to the organization through the ledger (charges are negative amounts). */
export async function chargedCredits(orgId: string, jobId?: string): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT coalesce(-sum(amount), 0) AS n FROM credit_transactions WHERE org_id = ? AND type = 'charge' ${jobId ? "AND job_id = ?" : ""}`,
  )
    .bind(orgId, ...(jobId ? [jobId] : []))
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export async function orgCredits(orgId: string) {
  return env.DB.prepare("SELECT credit_balance AS balance, reserved_credits AS reserved FROM organizations WHERE id = ?")
    .bind(orgId)
    .first<{ balance: number; reserved: number }>();
}

/**
 * Prepares a job through the service (entities, reservation, D1 row) and starts its object with a sender that
 * keeps the task messages instead of queueing them: lost messages on demand. `tweak` adjusts the spec first.
 */
export async function startCapturedJob(
  org: { orgId: string; adminKeyId: string },
  request: JobRequest,
  tweak: (spec: JobSpec) => JobSpec = (s) => s,
) {
  const spec = tweak(await prepareJob(createDb(env.DB), { orgId: org.orgId, keyId: org.adminKeyId, role: "admin" }, request));
  const stub = getJobStub(env, spec.jobId);
  const captured: JobTaskMessage[] = [];
  await runInDurableObject(stub, async (instance: EnrichmentJob) => {
    instance.sendTasks = async (messages) => {
      captured.push(...(messages as JobTaskMessage[]));
    };
    await instance.start(spec);
  });
  return { spec, stub, captured };
}

/** Prepares a job through the service and starts its object directly, e.g. with lower lane caps. */
export async function startJobWith(org: { orgId: string; adminKeyId: string }, request: JobRequest, tweak: (spec: JobSpec) => JobSpec) {
  const spec = tweak(await prepareJob(createDb(env.DB), { orgId: org.orgId, keyId: org.adminKeyId, role: "admin" }, request));
  const stub = getJobStub(env, spec.jobId);
  await stub.start(spec);
  return { spec, stub };
}

/** Puts the object's real queue sender back (after startCapturedJob). */
export async function restoreSender(stub: DurableObjectStub<EnrichmentJob>) {
  await runInDurableObject(stub, (instance: EnrichmentJob, state) => {
    instance.sendTasks = async (messages) => {
      for (let i = 0; i < messages.length; i += 100) {
        await env.PROVIDER_CALLS.sendBatch(messages.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
      }
    };
    return state.id.toString();
  });
}

export async function openEvents(key: string, jobId: string, opts: { lastEventId?: string; heartbeat?: number } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (opts.lastEventId) headers["last-event-id"] = opts.lastEventId;
  const query = opts.heartbeat ? `?heartbeat=${opts.heartbeat}` : "";
  const res = await exports.default.fetch(new Request(`http://dossier.test/v1/jobs/${jobId}/events${query}`, { headers }));
  return new SseReader(res);
}
