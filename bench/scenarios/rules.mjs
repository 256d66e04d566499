import { setupOrg } from "../lib/client.mjs";
import { percentile, ratio, round } from "../lib/stats.mjs";

const COUNTRIES = ["IR", "KP", "SY", "CU", "RU", "VE", "BY", "MM"];

/**
 * `count` active rules of the shapes customers write, over the facts a phone_normalize run gives: comparisons of
 * attributes, results and tags, `any` over lists, patterns, nesting. About a third match the bench's people; the
 * matching ones tag, add risk and (every tenth) raise an alert, so an evaluation writes what real ones write.
 */
export function benchRules(count) {
  return Array.from({ length: count }, (_, i) => {
    const country = COUNTRIES[i % COUNTRIES.length];
    const shapes = [
      { fact: "entity.attributes.country", operator: "in", value: [country, "GB"] },
      { all: [{ fact: "results.phone_normalize.success", operator: "eq", value: true }, { fact: "results.phone_normalize.enrichmentData.country", operator: "eq", value: country }] },
      { any: [{ fact: "entity.attributes.fullName", operator: "matches", value: `(?i)^bench ${i % 10}` }, { fact: "entity.tags", operator: "contains", value: `r-${i}` }] },
      { not: { fact: "results.phone_normalize.enrichmentData.valid", operator: "eq", value: false } },
      { fact: "results.phone_normalize.fieldsEnriched[]", operator: "eq", value: "phoneE164", quantifier: "any" },
    ];
    const matchesLater = i % 3 === 0;
    return {
      name: `bench rule ${i}`,
      status: "active",
      priority: 1 + (i % 100),
      events: ["enrichment.completed"],
      conditions: matchesLater ? shapes[i % shapes.length] : { all: [shapes[i % shapes.length], { fact: "entity.attributes.country", operator: "eq", value: "ZZ" }] },
      score: i % 7,
      actions: [{ type: "add_tag", tag: `r-${i % 20}` }, { type: "set_risk" }, ...(i % 10 === 0 ? [{ type: "create_alert", severity: "low", title: `Bench ${i}` }] : [])],
    };
  });
}

async function orgWithRules(ctx, tag, count) {
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: [], providerUrl: ctx.fake.url });
  for (const rule of benchRules(count)) await api.json("POST", "/v1/rules", { body: rule, expect: [201] });
  return api;
}

async function person(api, tag, i) {
  const body = { type: "person", externalId: `${tag}-${i}`, attributes: { fullName: `Bench ${i} ${tag}`, phone: "020 7946 0958", country: "GB" } };
  return (await api.json("POST", "/v1/entities", { body, expect: [201] })).id;
}

/** Latency of `POST /v1/entities/{id}/rules/evaluate` (every active rule, recorded and acted on), measured by the client. */
async function evaluateLatencies(api, entityIds, rounds) {
  const latencies = [];
  let evaluations = 0;
  for (let r = 0; r < rounds; r++) {
    const id = entityIds[r % entityIds.length];
    const started = performance.now();
    const answer = await api.json("POST", `/v1/entities/${id}/rules/evaluate`, { expect: [200] });
    latencies.push(performance.now() - started);
    evaluations += answer.evaluations.length;
  }
  return { latencies, evaluations };
}

/**
 * Rules scenario: evaluation latency per event with `rules` active rules (the 100), against the same
 * request with one rule, synchronously (`POST /v1/entities/{id}/rules/evaluate`, which reads, evaluates and writes
 * exactly as the queue consumer does); then the queue path end to end: enrichments publish events, and the time
 * until each event's evaluations are all recorded, with a check that none is recorded twice.
 */
export async function rulesScenario(ctx, { rules, rounds, events, timeoutMs }) {
  const tag = `rules-${ctx.runId}`;
  const many = await orgWithRules(ctx, `${tag}-many`, rules);
  const one = await orgWithRules(ctx, `${tag}-one`, 1);
  const manyPeople = await Promise.all(Array.from({ length: 3 }, (_, i) => person(many, tag, i)));
  const onePeople = await Promise.all(Array.from({ length: 3 }, (_, i) => person(one, `${tag}-1`, i)));
  for (const [api, ids] of [
    [many, manyPeople],
    [one, onePeople],
  ]) {
    await api.json("POST", `/v1/entities/${ids[0]}/enrichments`, { body: { integrationCodes: ["phone_normalize"] }, expect: [200] });
    await evaluateLatencies(api, ids, 3); // warm-up, discarded
  }
  const measured = await evaluateLatencies(many, manyPeople, rounds);
  const baseline = await evaluateLatencies(one, onePeople, rounds);

  // The queue path: one enrichment per person publishes one event; each is evaluated by every rule once.
  const queued = await Promise.all(Array.from({ length: events }, (_, i) => person(many, `${tag}-q`, i)));
  const sent = new Map();
  await Promise.all(
    queued.map(async (id) => {
      await many.json("POST", `/v1/entities/${id}/enrichments`, { body: { integrationCodes: ["phone_normalize"] }, expect: [200] });
      sent.set(id, performance.now());
    }),
  );
  const lags = [];
  const pending = new Set(queued);
  const until = Date.now() + timeoutMs;
  let duplicates = 0;
  while (pending.size > 0 && Date.now() < until) {
    for (const id of [...pending]) {
      const rows = await many.all(`/v1/rules/evaluations?entityId=${id}`);
      // A fresh person: its one enrichment is its one event.
      if (rows.length >= rules) {
        lags.push(performance.now() - sent.get(id));
        duplicates += rows.length - new Set(rows.map((r) => r.ruleId)).size;
        pending.delete(id);
      }
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const p50 = percentile(measured.latencies, 50);
  const baseP50 = percentile(baseline.latencies, 50);
  return {
    rules,
    rounds,
    evaluationsPerRequest: round(measured.evaluations / rounds),
    evaluateP50Ms: round(p50),
    evaluateP99Ms: round(percentile(measured.latencies, 99)),
    oneRuleP50Ms: round(baseP50),
    perRuleMs: round((p50 - baseP50) / Math.max(1, rules - 1), 2),
    ratio: ratio(p50, baseP50),
    events,
    eventsEvaluated: lags.length,
    queueLagP50Ms: round(percentile(lags, 50)),
    queueLagP99Ms: round(percentile(lags, 99)),
    duplicateEvaluations: duplicates,
  };
}
