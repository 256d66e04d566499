import { performance } from "node:perf_hooks";
import { setupOrg } from "../lib/client.mjs";
import { percentile, ratio, round } from "../lib/stats.mjs";

const FINAL = new Set(["succeeded", "partial", "failed", "skipped", "cancelled"]);

/** Runs `tasks` with at most `width` in flight. */
async function inParallel(items, width, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i], i);
    }
  });
  await Promise.all(workers);
}

/** Creates `n` entities one after another, each once the previous is enriched: trigger → enriched with no backlog. */
async function soloLatencies(api, tag, n, deadline) {
  const out = [];
  for (let i = 0; i < n && Date.now() < deadline; i++) {
    const entity = await api.json("POST", "/v1/entities", { body: { type: "person", attributes: { fullName: `${tag} Solo ${i}` } }, expect: [201] });
    for (;;) {
      const [job] = (await api.json("GET", `/v1/auto-enrichment/jobs?entityId=${entity.id}`)).data;
      if (job && FINAL.has(job.status)) {
        out.push(Date.parse(job.finishedAt) - Date.parse(entity.createdAt));
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return out;
}

/**
 * Scenario 7, auto-enrichment: auto-enrichment on for people (the bench integrations, one mapped field), then
 * `entities` people created at once through `POST /v1/entities` (`createWidth` requests in flight). Measured: the
 * time from the first create to the last entity enriched (the last job's `finishedAt`), the provider calls (the
 * target is exactly one per entity and integration: no lost trigger, no duplicate run), and the trigger-to-enriched
 * latency of each entity (its job's `finishedAt` minus the entity's `createdAt`, both the server's clock) against
 * the provider's latency; plus the charges, which must equal the successes.
 */
export async function autoEnrichment(ctx, { entities, createWidth = 25, timeoutMs, tag = `auto-${ctx.runId}` }) {
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: ctx.integrations, providerUrl: ctx.fake.url });
  await api.json("PUT", "/v1/auto-enrichment/config", {
    body: {
      enabled: true,
      entityTypes: { person: { integrationCodes: ctx.integrations, fieldMapping: { seniority: "custom.seniority" } } },
    },
  });
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });
  ctx.fake.reset();
  const memory = await ctx.sampler.window();
  const started = performance.now();
  const created = [];
  await inParallel(
    Array.from({ length: entities }, (_, i) => `${tag} Person ${i}`),
    createWidth,
    async (fullName) => {
      const entity = await api.json("POST", "/v1/entities", { body: { type: "person", attributes: { fullName } }, expect: [201] });
      created.push(entity);
    },
  );
  const createdMs = performance.now() - started;

  const deadline = Date.now() + timeoutMs;
  let jobs = [];
  for (;;) {
    jobs = await api.all("/v1/auto-enrichment/jobs");
    if (jobs.length >= entities && jobs.every((j) => FINAL.has(j.status))) break;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const wallMs = performance.now() - started;
  const mem = await memory.close();
  const provider = ctx.fake.stats();
  const done = jobs.filter((j) => FINAL.has(j.status));
  const createdAt = new Map(created.map((e) => [e.id, Date.parse(e.createdAt)]));
  const latencies = done.flatMap((j) => (j.finishedAt && createdAt.has(j.entityId) ? [Date.parse(j.finishedAt) - createdAt.get(j.entityId)] : []));
  const firstCreate = Math.min(...createdAt.values());
  const lastEnriched = Math.max(...done.map((j) => Date.parse(j.finishedAt ?? "")).filter(Number.isFinite));
  const credits = await api.json("GET", "/v1/auto-enrichment/credits?groupBy=integration");
  const owed = done.flatMap((j) => j.results).filter((r) => r.status === "succeeded").reduce((sum, r) => sum + (ctx.credits[r.integrationCode] ?? 0), 0);
  const jobsPerEntity = new Map();
  for (const j of jobs) jobsPerEntity.set(j.entityId, (jobsPerEntity.get(j.entityId) ?? 0) + 1);
  const solo = await soloLatencies(api, tag, 5, Date.now() + 30_000);
  const p50 = percentile(latencies, 50);
  // The provider-bound floor: every call, `connections` at a time (one local consumer invocation at a time).
  const idealMs = Math.round((entities * ctx.integrations.length * ctx.latencyMs) / ctx.connections);
  return {
    entities,
    integrations: ctx.integrations.length,
    size: `${entities} x ${ctx.integrations.length}`,
    latencyMs: ctx.latencyMs,
    createWidth,
    createMs: round(createdMs),
    wallMs: round(wallMs),
    firstCreateToLastEnrichedMs: Number.isFinite(lastEnriched) ? lastEnriched - firstCreate : null,
    connections: ctx.connections,
    idealMs,
    ratio: Number.isFinite(lastEnriched) ? ratio(lastEnriched - firstCreate, idealMs) : null,
    jobs: jobs.length,
    jobsFinished: done.length,
    byStatus: Object.fromEntries([...new Set(jobs.map((j) => j.status))].map((s) => [s, jobs.filter((j) => j.status === s).length])),
    entitiesWithoutOneJob: created.filter((e) => jobsPerEntity.get(e.id) !== 1).length,
    providerCalls: provider.calls,
    providerTasks: provider.tasks,
    expectedCalls: entities * ctx.integrations.length,
    callMismatch: provider.calls - entities * ctx.integrations.length,
    providerPeakConcurrency: provider.peakConcurrency,
    triggerToEnrichedMs: { p50, p95: percentile(latencies, 95), max: latencies.length ? Math.max(...latencies) : null },
    p50OverProviderLatency: ratio(p50, ctx.latencyMs),
    /** One entity at a time, nothing queued ahead of it: what a single create waits for (the queue's batch wait included). */
    soloTriggerToEnrichedMs: { samples: solo.length, p50: percentile(solo, 50), max: solo.length ? Math.max(...solo) : null },
    creditsCharged: credits.total.credits,
    creditMismatch: credits.total.credits - owed,
    peakRssMb: mem.peakRssMb,
    completed: done.length === entities && jobs.length === entities,
  };
}
