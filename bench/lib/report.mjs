/**
 * Targets from the benchmark issue. `gate: true` marks the fault targets that fail the run; timing targets
 * are reported only.
 */
export const targets = [
  { path: "fanout.ratio", label: "fan-out wall / ideal", ok: (v) => v <= 1.25, text: "<= 1.25" },
  { path: "fanout.providerTasks", label: "fan-out tasks the provider saw", ok: (v, r) => v === r.fanout.expectedCalls, text: "= entities x integrations" },
  { path: "cache.providerCalls", label: "cache provider calls", ok: (v) => v === 0, text: "0" },
  { path: "overhead.ratio", label: "enrich rps / healthz rps", ok: (v) => v >= 0.5, text: ">= 0.5" },
  { path: "faults.stuck", label: "faults: stuck entities", ok: (v) => v === 0, text: "0", gate: true },
  { path: "faults.creditMismatch", label: "faults: credits - successes", ok: (v) => v === 0, text: "0", gate: true },
  { path: "faults.duplicateRecords", label: "faults: duplicate records", ok: (v) => v === 0, text: "0", gate: true },
  { path: "faults.missingRecords", label: "faults: tasks without a record", ok: (v) => v === 0, text: "0", gate: true },
  { path: "faults.http500", label: "faults: HTTP 5xx seen", ok: (v) => v === 0, text: "0", gate: true },
  { path: "faults.webhooksLost", label: "faults: webhooks lost/bad sig", ok: (v) => v === 0, text: "0", gate: true },
  // Auto-enrichment's and rules' correctness targets fail the run only when they ran (they are not in every `--only`).
  { path: "auto.callMismatch", label: "auto: provider calls - entities x integrations", ok: (v) => v === 0, text: "0", gate: true, scenario: "auto" },
  { path: "auto.entitiesWithoutOneJob", label: "auto: entities without exactly one job", ok: (v) => v === 0, text: "0", gate: true, scenario: "auto" },
  { path: "auto.creditMismatch", label: "auto: credits - successes", ok: (v) => v === 0, text: "0", gate: true, scenario: "auto" },
  { path: "auto.p50OverProviderLatency", label: "auto: p50 trigger → enriched / provider latency", ok: () => true, text: "reported" },
  { path: "rules.duplicateEvaluations", label: "rules: evaluations recorded twice", ok: (v) => v === 0, text: "0", gate: true, scenario: "rules" },
  // The LLM scenario's correctness targets, likewise only when it ran.
  { path: "llm.stuck", label: "llm: stuck entities", ok: (v) => v === 0, text: "0", gate: true, scenario: "llm" },
  { path: "llm.duplicateRecords", label: "llm: duplicate model records", ok: (v) => v === 0, text: "0", gate: true, scenario: "llm" },
  { path: "llm.missingRecords", label: "llm: model calls without a record", ok: (v) => v === 0, text: "0", gate: true, scenario: "llm" },
  { path: "llm.creditMismatch", label: "llm: credits charged - records' credits", ok: (v) => v === 0, text: "0", gate: true, scenario: "llm" },
  // The compatibility APIs: their translation's cost is reported; a 5xx through them fails the run when it ran.
  { path: "compat.gu1.ratio", label: "compat: gu1 rps / native rps", ok: (v) => v >= 0.8, text: ">= 0.8 (reported)" },
  { path: "compat.lance.ratio", label: "compat: Lance rps / native rps", ok: (v) => v >= 0.8, text: ">= 0.8 (reported)" },
  { path: "compat.entityEnricher.ratio", label: "compat: Entity Enricher rps / native rps", ok: (v) => v >= 0.8, text: ">= 0.8 (reported)" },
  { path: "compat.http5xx", label: "compat: HTTP 5xx seen", ok: (v) => v === 0, text: "0", gate: true, scenario: "compat" },
];

const get = (obj, path) => path.split(".").reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);

/** Each target: its value, and whether it was met (null when the scenario did not produce the figure). */
export function evaluate(results) {
  return targets.map((t) => {
    const value = get(results, t.path);
    const met = value === null || value === undefined ? null : Boolean(t.ok(value, results));
    return { ...t, value, met };
  });
}

/** The fault targets that are missed or were never measured: either fails the run. */
export function gateFailures(results) {
  const ran = new Set(results.meta?.scenarios ?? []);
  return evaluate(results)
    .filter((t) => t.gate && t.met !== true && (!t.scenario || ran.has(t.scenario)))
    .map((t) => `${t.label}: ${t.value === undefined || t.value === null ? "not measured" : t.value} (target ${t.text})`);
}

const fmt = (v) => {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
  return String(v);
};

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/** The readable summary printed at the end of a run (also the table BENCHMARKS.md quotes). */
export function renderTable(r) {
  const rows = [["scenario", "figure", "value", "target", ""]];
  const ran = new Set(r.meta?.scenarios ?? ["fanout", "cache", "overhead", "sse", "faults", "scaling"]);
  const verdict = new Map(evaluate(r).map((t) => [t.path, t]));
  const add = (scenario, figure, path, unit = "") => {
    const t = verdict.get(path);
    const value = get(r, path);
    rows.push([scenario, figure, `${fmt(value)}${value === null || value === undefined ? "" : unit}`, t?.text ?? "", t ? (t.met === null ? "" : t.met ? "ok" : t.gate ? "FAIL" : "miss") : ""]);
  };
  const cpuRow = (scenario, cpu) => {
    if (!cpu?.perTaskMs) return;
    const p = cpu.perTaskMs;
    rows.push([scenario, "CPU ms per task: workerd / wrangler / bench / machine", `${fmt(p.workerd)} / ${fmt(p.wranglerNode)} / ${fmt(p.bench)} / ${fmt(p.machine)}`, "", ""]);
    rows.push([scenario, "machine busy (all cores)", `${Math.round((cpu.machineBusyShare ?? 0) * 100)}%`, "", ""]);
  };
  if (r.fanout && ran.has("fanout")) {
    add("1 fan-out", "entities x integrations", "fanout.size");
    add("1 fan-out", "wall (POST → completed)", "fanout.wallMs", " ms");
    add("1 fan-out", "ideal", "fanout.idealMs", " ms");
    add("1 fan-out", "ratio", "fanout.ratio");
    add("1 fan-out", "provider calls", "fanout.providerCalls");
    add("1 fan-out", "distinct tasks called", "fanout.providerTasks");
    add("1 fan-out", "repeated calls (retries)", "fanout.retries");
    add("1 fan-out", "provider peak concurrency", "fanout.providerPeakConcurrency");
    add("1 fan-out", "peak RSS (workerd+wrangler)", "fanout.peakRssMb", " MB");
    cpuRow("1 fan-out", r.fanout.cpu);
  }
  if (r.cache && ran.has("cache")) {
    add("2 cache", "provider calls", "cache.providerCalls");
    add("2 cache", "wall", "cache.wallMs", " ms");
    add("2 cache", "wall / fan-out wall", "cache.wallRatio");
    cpuRow("2 cache", r.cache.cpu);
  }
  if (r.overhead && ran.has("overhead")) {
    add("3 overhead", "enrich rps", "overhead.enrichRps");
    add("3 overhead", "enrich p50 / p99", "overhead.enrichLatency", " ms");
    add("3 overhead", "healthz rps", "overhead.healthzRps");
    add("3 overhead", "healthz p50 / p99", "overhead.healthzLatency", " ms");
    add("3 overhead", "GET entity rps (auth + 1 read)", "overhead.authReadRps");
    add("3 overhead", "GET entity p50 / p99", "overhead.authReadLatency", " ms");
    add("3 overhead", "enrich / healthz", "overhead.ratio");
    add("3 overhead", "GET entity / healthz", "overhead.authReadRatio");
  }
  if (r.sse && ran.has("sse")) {
    add("4 SSE", "events matched", "sse.matched");
    add("4 SSE", "answer → event p50", "sse.p50Ms", " ms");
    add("4 SSE", "answer → event p99", "sse.p99Ms", " ms");
  }
  if (r.faults && ran.has("faults")) {
    add("5 faults", "entities", "faults.entities");
    add("5 faults", "wall", "faults.wallMs", " ms");
    add("5 faults", "stuck entities", "faults.stuck");
    add("5 faults", "credits charged - successes", "faults.creditMismatch");
    add("5 faults", "duplicate records", "faults.duplicateRecords");
    add("5 faults", "tasks without a record", "faults.missingRecords");
    add("5 faults", "HTTP 5xx seen by clients", "faults.http500");
    add("5 faults", "webhooks lost or bad signature", "faults.webhooksLost");
    add("5 faults", "webhooks still retrying", "faults.webhooksPending");
  }
  if (r.auto && ran.has("auto")) {
    add("7 auto-enrichment", "entities created at once x integrations", "auto.size");
    add("7 auto-enrichment", "first create → last enriched", "auto.firstCreateToLastEnrichedMs", " ms");
    add("7 auto-enrichment", "ideal (calls x latency / connections)", "auto.idealMs", " ms");
    add("7 auto-enrichment", "ratio", "auto.ratio");
    add("7 auto-enrichment", "provider calls (expected)", "auto.providerCalls");
    add("7 auto-enrichment", "provider calls - entities x integrations", "auto.callMismatch");
    add("7 auto-enrichment", "entities without exactly one job", "auto.entitiesWithoutOneJob");
    add("7 auto-enrichment", "trigger → enriched p50", "auto.triggerToEnrichedMs.p50", " ms");
    add("7 auto-enrichment", "trigger → enriched p95", "auto.triggerToEnrichedMs.p95", " ms");
    add("7 auto-enrichment", "p50 / provider latency", "auto.p50OverProviderLatency");
    add("7 auto-enrichment", "trigger → enriched p50, one entity at a time", "auto.soloTriggerToEnrichedMs.p50", " ms");
    add("7 auto-enrichment", "credits - successes", "auto.creditMismatch");
  }
  for (const s of r.scaling ?? []) {
    rows.push(["6 scaling", s.label ?? `${s.entities} entities`, `${fmt(s.wallMs)} ms, peak ${fmt(s.peakRssMb)} MB (+${fmt(s.rssGrowthMb)})`, "", ""]);
  }
  if (r.rules && ran.has("rules")) {
    add("8 rules", "active rules", "rules.rules");
    add("8 rules", "evaluate now (100 rules) p50", "rules.evaluateP50Ms", " ms");
    add("8 rules", "evaluate p99", "rules.evaluateP99Ms", " ms");
    add("8 rules", "same with 1 rule, p50", "rules.oneRuleP50Ms", " ms");
    add("8 rules", "per extra rule", "rules.perRuleMs", " ms");
    add("8 rules", "100 rules / 1 rule", "rules.ratio");
    add("8 rules", "queue: enrichment → all evaluated, p50", "rules.queueLagP50Ms", " ms");
    add("8 rules", "queue: p99", "rules.queueLagP99Ms", " ms");
    add("8 rules", "evaluations recorded twice", "rules.duplicateEvaluations");
  }
  if (r.llm && ran.has("llm")) {
    add("9 llm", "entities x models", "llm.size");
    add("9 llm", "wall (POST → completed)", "llm.wallMs", " ms");
    add("9 llm", "ideal (waves per model lane x latency)", "llm.idealMs", " ms");
    add("9 llm", "ratio", "llm.ratio");
    add("9 llm", "model calls (repairs, retries incl.) / tasks", "llm.callsText");
    add("9 llm", "peak model calls in flight", "llm.peakCallsInFlight");
    add("9 llm", "fusion CPU per entity (fuse())", "llm.fusionCpuMsPerEntity", " ms");
    add("9 llm", "fusion task p50 (server, D1 incl.)", "llm.fusionTaskMsP50", " ms");
    add("9 llm", "stuck entities", "llm.stuck");
    add("9 llm", "duplicate model records", "llm.duplicateRecords");
    add("9 llm", "model calls without a record", "llm.missingRecords");
    add("9 llm", "credits charged - records' credits", "llm.creditMismatch");
    cpuRow("9 llm", r.llm.cpu);
  }
  if (r.compat && ran.has("compat")) {
    const pair = (key, name) => {
      add("10 compat", `${name}: rps native / compat`, `compat.${key}.rpsText`);
      add("10 compat", `${name}: p50 / p99 native`, `compat.${key}.nativeLatency`, " ms");
      add("10 compat", `${name}: p50 / p99 compat`, `compat.${key}.compatLatency`, " ms");
      add("10 compat", `${name}: compat / native`, `compat.${key}.ratio`);
    };
    pair("gu1", "gu1 enrich by externalId (cached)");
    pair("lance", "Lance GET enrichment");
    pair("entityEnricher", "Entity Enricher GET record");
    add("10 compat", "HTTP 5xx seen by clients", "compat.http5xx");
  }
  if (r.meta?.responses) {
    const fivexx = Object.entries(r.meta.responses.byStatus).reduce((n, [status, count]) => n + (Number(status) >= 500 ? count : 0), 0);
    rows.push(["all", "responses / HTTP 5xx, whole run", `${r.meta.responses.total} / ${fivexx}`, "", ""]);
  }
  for (const [name, log] of Object.entries(r.meta?.workerErrors ?? {})) {
    if (log.errorLines > 0) rows.push([name, "error lines in the dev server log", `${log.errorLines}: ${log.samples[0]?.slice(0, 80) ?? ""}`, "", ""]);
  }
  for (const [name, error] of Object.entries(r.errors ?? {})) rows.push([name, "error", error.split("\n")[0].slice(0, 100), "", "FAIL"]);
  return table(rows);
}
