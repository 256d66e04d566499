import { performance } from "node:perf_hooks";
import { responses, setupOrg } from "../lib/client.mjs";
import { round } from "../lib/stats.mjs";
import { load, summary, tally } from "./overhead.mjs";

/** The one-field schema the Entity Enricher pair's record is made with (its content does not matter here). */
const SCHEMA = { name: "Bench compat", entityType: "company", jsonSchema: { type: "object", properties: { legalName: { type: "string", identifying: true } }, required: ["legalName"] } };

/** Polls `read` until `done(body)` or the deadline. */
async function until(read, done, deadline, what) {
  for (;;) {
    const body = await read();
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`${what}: not done before the deadline (last: ${JSON.stringify(body).slice(0, 200)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Scenario 10: what the compatibility APIs (src/features/compat/) cost over the native routes they translate. For each
 * pair, the same answer through both doors, autocannon on one then the other (same connections and duration):
 * - gu1 `POST /integration-execution/marketplace/enrichment-by-external-id` against `POST /v1/entities/{id}/enrichments`,
 *   the integrations already cached (so the pair is scenario 3's enrich, plus a lookup by externalId);
 * - Lance `GET /api/v1/operations/enrichment/{personId}?field=phones` against `GET /v1/people/{id}/contact-enrichment`
 *   for the same settled record (phones through `phone_normalize` alone, which finds nothing new: offline, and stable);
 * - Entity Enricher `GET /api/records/{id}` (X-API-Key) against `GET /v1/llm/records/{id}` for one model record (made
 *   on the fake LLM when it runs, else the pair is left out).
 * Ratio = compat rps / native rps; every 5xx any client saw during the scenario is counted (target 0).
 */
export async function compat(ctx, { durationS, connections, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  const serverErrors = responses.mark();
  const tag = `compat-${ctx.runId}`;
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: ctx.integrations, providerUrl: ctx.fake.url });
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });
  const auth = { authorization: `Bearer ${api.token}` };
  const json = { ...auth, "content-type": "application/json" };

  const person = await api.json("POST", "/v1/entities", {
    body: { type: "person", externalId: tag, attributes: { fullName: `${tag} Person`, phone: "+14155550123", country: "US" } },
    expect: [201],
  });
  const pairs = [];

  // gu1: one enrichment, cached first through the native route.
  const native = { integrationCodes: ctx.integrations, params: { scenario: tag } };
  const warm = await api.json("POST", `/v1/entities/${person.id}/enrichments`, { body: native });
  const uncached = (warm.results ?? []).filter((r) => !r.cached).length;
  pairs.push({
    name: "gu1",
    native: { method: "POST", path: `/v1/entities/${person.id}/enrichments`, headers: json, body: JSON.stringify(native) },
    compat: {
      method: "POST",
      path: "/integration-execution/marketplace/enrichment-by-external-id",
      headers: json,
      body: JSON.stringify({ externalId: tag, integrationCodes: ctx.integrations, parameters: { scenario: tag } }),
    },
  });

  // Lance: a settled contact enrichment of the person's phones.
  await api.json("PUT", "/v1/integrations/phone_normalize", { body: { enabled: true } });
  await api.json("POST", "/v1/enrichment-groups", { body: { slug: "contact-phones", name: "Phone sources", integrationCodes: ["phone_normalize"] }, expect: [201] });
  const contactPath = `/v1/people/${person.id}/contact-enrichment?field=phones`;
  await api.json("POST", contactPath, { expect: [202] });
  const settled = await until(() => api.json("GET", contactPath), (r) => r.status !== "pending", deadline, "contact enrichment");
  pairs.push({
    name: "lance",
    native: { method: "GET", path: contactPath, headers: auth },
    compat: { method: "GET", path: `/api/v1/operations/enrichment/${person.id}?field=phones`, headers: auth },
  });

  // Entity Enricher: one model record, on the fake LLM.
  let recordId = null;
  if (ctx.fakeLlm) {
    const spec = `id=${tag};latency=1`;
    await api.json("PUT", "/v1/llm/providers/bench", {
      body: { baseUrl: `${ctx.fakeLlm.url}/compat/~${encodeURIComponent(spec)}/v1`, models: [{ model: "m1", inputPerMTok: 1, outputPerMTok: 4, structuredOutput: true }] },
    });
    const posted = await api.json("POST", "/v1/llm/enrichments", {
      body: { entities: [{ name: `${tag} Company` }], schema: SCHEMA, models: ["bench::m1"], strategy: "single_pass" },
      expect: [202],
    });
    await until(() => api.json("GET", `/v1/jobs/${posted.jobId}`), (j) => ["completed", "failed", "cancelled"].includes(j.status), deadline, "LLM job");
    recordId = (await api.json("GET", `/v1/llm/records?jobId=${posted.jobId}`)).data.find((r) => r.type === "enrichment")?.id ?? null;
    if (!recordId) throw new Error(`LLM job ${posted.jobId} made no model record`);
    pairs.push({
      name: "entityEnricher",
      native: { method: "GET", path: `/v1/llm/records/${recordId}`, headers: auth },
      compat: { method: "GET", path: `/api/records/${recordId}`, headers: { "x-api-key": api.token } },
    });
  }

  // A short warm-up of every route, discarded, so none pays for first-request work in the measured window.
  const once = (r) => fetch(`${ctx.baseUrl}${r.path}`, { method: r.method, headers: r.headers, body: r.body }).then(async (res) => {
    responses.record(res.status, r.method, r.path, await res.text());
    if (res.status !== 200) throw new Error(`${r.method} ${r.path} → ${res.status}`);
  });
  for (let i = 0; i < 3; i++) await Promise.all(pairs.flatMap((p) => Array.from({ length: 4 }, () => [once(p.native), once(p.compat)]).flat()));
  ctx.fake.reset();

  const memory = await ctx.sampler.window();
  const started = performance.now();
  const measured = {};
  for (const p of pairs) {
    const run = async (r) => {
      const result = await load({ url: `${ctx.baseUrl}${r.path}`, method: r.method, headers: r.headers, body: r.body, connections, duration: durationS, timeout: 30 });
      tally(result, r.method, r.path);
      return summary(result);
    };
    const n = await run(p.native);
    const c = await run(p.compat);
    measured[p.name] = {
      nativeRps: n.rps,
      compatRps: c.rps,
      ratio: n.rps ? round(c.rps / n.rps, 3) : null,
      rpsText: `${n.rps} / ${c.rps}`,
      nativeLatency: `${n.p50Ms} / ${n.p99Ms}`,
      compatLatency: `${c.p50Ms} / ${c.p99Ms}`,
      native: n,
      compat: c,
    };
  }
  const mem = await memory.close();
  return {
    ...measured,
    http5xx: serverErrors(),
    connections,
    durationS,
    integrations: ctx.integrations.length,
    warmUpUncachedResults: uncached,
    providerCallsDuringLoad: ctx.fake.stats().calls,
    contactStatus: settled.status,
    llmRecordId: recordId,
    loadMs: round(performance.now() - started),
    peakRssMb: mem.peakRssMb,
  };
}
