import autocannon from "autocannon";
import { responses, setupOrg } from "../lib/client.mjs";
import { round } from "../lib/stats.mjs";

export function load(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Feeds autocannon's status counts into the shared tally, so 5xx answers count like any other client's. */
export function tally(result, method, path) {
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    responses.record(Number(status), method, path, "(autocannon)", count);
  }
}

export function summary(result) {
  return {
    rps: round(result.requests.average),
    p50Ms: round(result.latency.p50),
    p99Ms: round(result.latency.p99),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
  };
}

/**
 * Scenario 3: requests per second and latency of a synchronous enrichment whose every integration answers
 * from the cache, against `GET /healthz` on the same server, same connections and duration. Healthz is the
 * dev runtime's ceiling for a request; the ratio is what our own code (auth, rate-limit counter, plan,
 * cache reads, D1 writes of records, ledger and audit) costs on top of it.
 */
export async function overhead(ctx, { durationS, connections }) {
  const tag = `overhead-${ctx.runId}`;
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: ctx.integrations, providerUrl: ctx.fake.url });
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });
  const entity = await api.json("POST", "/v1/entities", {
    body: { type: "person", externalId: tag, attributes: { fullName: `${tag} Person` } },
    expect: [201],
  });
  const path = `/v1/entities/${entity.id}/enrichments`;
  const body = JSON.stringify({ integrationCodes: ctx.integrations, params: { scenario: tag } });
  const warm = await api.json("POST", path, { body });
  const uncached = (warm.results ?? []).filter((r) => !r.cached).length;
  ctx.fake.reset();

  const enrichOpts = {
    url: `${ctx.baseUrl}${path}`,
    method: "POST",
    headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
    body,
    connections,
    duration: durationS,
    timeout: 30,
  };
  const healthOpts = { url: `${ctx.baseUrl}/healthz`, connections, duration: durationS, timeout: 30 };
  // An authenticated read of the same entity: auth (key lookup + rate-limit counter write) and one D1 read, so
  // the gap between healthz and enrich can be split into what every API call pays and what enrichment adds.
  const readOpts = { url: `${ctx.baseUrl}/v1/entities/${entity.id}`, headers: { authorization: `Bearer ${api.token}` }, connections, duration: durationS, timeout: 30 };

  // A short warm-up of each route, discarded, so none pays for first-request work in the measured window.
  for (let i = 0; i < 4; i++) {
    await Promise.all([
      ...Array.from({ length: 5 }, () => api.call("POST", path, { body })),
      ...Array.from({ length: 5 }, () => api.call("GET", `/v1/entities/${entity.id}`)),
      ...Array.from({ length: 5 }, () => fetch(`${ctx.baseUrl}/healthz`).then((r) => r.text())),
    ]);
  }
  ctx.fake.reset();

  const memory = await ctx.sampler.window();
  const enrich = await load(enrichOpts);
  const healthz = await load(healthOpts);
  const read = await load(readOpts);
  const mem = await memory.close();
  tally(enrich, "POST", "/v1/entities/:id/enrichments");
  tally(healthz, "GET", "/healthz");
  tally(read, "GET", "/v1/entities/:id");
  const e = summary(enrich);
  const h = summary(healthz);
  const a = summary(read);
  return {
    enrichRps: e.rps,
    healthzRps: h.rps,
    ratio: h.rps ? round(e.rps / h.rps, 3) : null,
    enrichP50Ms: e.p50Ms,
    enrichP99Ms: e.p99Ms,
    healthzP50Ms: h.p50Ms,
    healthzP99Ms: h.p99Ms,
    authReadRps: a.rps,
    authReadRatio: h.rps ? round(a.rps / h.rps, 3) : null,
    enrichVsAuthRead: a.rps ? round(e.rps / a.rps, 3) : null,
    enrichLatency: `${e.p50Ms} / ${e.p99Ms}`,
    authReadLatency: `${a.p50Ms} / ${a.p99Ms}`,
    healthzLatency: `${h.p50Ms} / ${h.p99Ms}`,
    connections,
    durationS,
    integrations: ctx.integrations.length,
    warmUpUncachedResults: uncached,
    providerCallsDuringLoad: ctx.fake.stats().calls,
    enrich: e,
    healthz: h,
    authRead: a,
    peakRssMb: mem.peakRssMb,
  };
}
