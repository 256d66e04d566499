#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--only fanout,faults] [--var NAME:VALUE] [--provider-batch N] [--auto-entities N] [--profile] [--out FILE] [--keep] [--seed N]`
 *
 * Starts a fake provider and a webhook receiver (Node, 127.0.0.1), applies the D1 migrations into a fresh
 * temporary persistence directory, starts `wrangler dev` on 127.0.0.1 against it, runs the scenarios, writes
 * bench/results/latest.json and prints a table. Exits 1 when a fault target is missed (or was not measured),
 * 2 on a harness failure. Every process it starts is stopped on every exit path.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createFakeProvider } from "./fake-provider.mjs";
import { responses, setupOrg } from "./lib/client.mjs";
import { benchConfig } from "./lib/config.mjs";
import { applyMigrations, startDevServer, wranglerVersion } from "./lib/dev-server.mjs";
import { createLogCursor } from "./lib/dev-log.mjs";
import { hotspots, startProfiler } from "./lib/profiler.mjs";
import { startRssSampler } from "./lib/memory.mjs";
import { installCleanupHandlers, stopAllGroups } from "./lib/processes.mjs";
import { gateFailures, renderTable } from "./lib/report.mjs";
import { importTs } from "./lib/bundle.mjs";
import { cache, fanout } from "./scenarios/fanout.mjs";
import { compat } from "./scenarios/compat.mjs";
import { llm } from "./scenarios/llm.mjs";
import { faults } from "./scenarios/faults.mjs";
import { overhead } from "./scenarios/overhead.mjs";
import { rulesScenario } from "./scenarios/rules.mjs";
import { scaling } from "./scenarios/scaling.mjs";
import { sse } from "./scenarios/sse.mjs";
import { autoEnrichment } from "./scenarios/auto.mjs";
import { createWebhookReceiver } from "./webhook-receiver.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(root, "bench", "results");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    var: { type: "string", multiple: true, default: [] },
    keep: { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
    "provider-batch": { type: "string" },
    "auto-entities": { type: "string" },
    profile: { type: "boolean", default: false },
    out: { type: "string", default: join("bench", "results", "latest.json") },
  },
});

/** Sizes per mode. Quick fits in about a minute on two cores; full is the issue's sizes. */
const plans = {
  full: {
    latencyMs: 100,
    fanout: { entities: 1000, timeoutMs: 10 * 60_000 },
    cache: { timeoutMs: 5 * 60_000 },
    sse: { entities: 200, timeoutMs: 5 * 60_000 },
    overhead: { durationS: 10, connections: 10 },
    faults: { entities: 1000, timeoutMs: 15 * 60_000, webhookSettleMs: 5 * 60_000 },
    // Every step runs fresh (no reuse of scenario 1), so each starts from the same warm server.
    scaling: { sizes: [100, 1000], parallel: { jobs: 5, entities: 1000 }, timeoutMs: 20 * 60_000, reuseFanout: false },
    auto: { entities: 1000, timeoutMs: 15 * 60_000 },
    rules: { rules: 100, rounds: 200, events: 50, timeoutMs: 5 * 60_000 },
    llm: { entities: 100, latencyMs: 500, cap: 50, timeoutMs: 10 * 60_000 },
    compat: { durationS: 10, connections: 10, timeoutMs: 60_000 },
    hardLimitMs: 105 * 60_000,
  },
  quick: {
    latencyMs: 100,
    fanout: { entities: 50, timeoutMs: 40_000 },
    cache: { timeoutMs: 20_000 },
    sse: { entities: 20, timeoutMs: 20_000 },
    overhead: { durationS: 1, connections: 10 },
    faults: { entities: 40, timeoutMs: 45_000, webhookSettleMs: 12_000 },
    scaling: { sizes: [20, 50], parallel: { jobs: 5, entities: 10 }, timeoutMs: 40_000, reuseFanout: true },
    auto: { entities: 50, timeoutMs: 40_000 },
    rules: { rules: 100, rounds: 20, events: 5, timeoutMs: 60_000 },
    llm: { entities: 20, latencyMs: 500, cap: 50, timeoutMs: 90_000 },
    compat: { durationS: 1, connections: 10, timeoutMs: 30_000 },
    hardLimitMs: 8 * 60_000,
  },
};

/** The generic test integrations (src/providers/test-http.ts): every `http_lookup*` in the catalog, up to three. */
const benchIntegrationsOf = (catalog) =>
  catalog
    .map((i) => i.code)
    .filter((code) => /^http_lookup/.test(code))
    .sort()
    .slice(0, 3);
const ORDER = ["fanout", "cache", "sse", "overhead", "faults", "scaling", "auto", "rules", "llm", "compat"];
const NEEDS_JOBS = new Set(["fanout", "cache", "sse", "faults", "scaling", "llm"]);

/** The documented shape, so a scenario that could not run still leaves its keys (as null). */
const emptyResults = () => ({
  fanout: { entities: null, integrations: null, wallMs: null, idealMs: null, ratio: null, providerCalls: null, peakRssMb: null },
  cache: { providerCalls: null, wallRatio: null },
  overhead: { enrichRps: null, healthzRps: null, ratio: null, enrichP50Ms: null, enrichP99Ms: null },
  sse: { p50Ms: null, p99Ms: null },
  faults: { entities: null, stuck: null, creditMismatch: null, duplicateRecords: null, http500: null, webhooksLost: null },
  scaling: [],
  auto: { entities: null, firstCreateToLastEnrichedMs: null, providerCalls: null, callMismatch: null, triggerToEnrichedMs: null, creditMismatch: null },
  rules: { rules: null, evaluateP50Ms: null, evaluateP99Ms: null, oneRuleP50Ms: null, ratio: null, queueLagP50Ms: null, duplicateEvaluations: null },
  llm: { entities: null, wallMs: null, idealMs: null, ratio: null, stuck: null, duplicateRecords: null, missingRecords: null, creditMismatch: null },
  compat: {
    gu1: { nativeRps: null, compatRps: null, ratio: null },
    lance: { nativeRps: null, compatRps: null, ratio: null },
    entityEnricher: { nativeRps: null, compatRps: null, ratio: null },
    http5xx: null,
  },
});

const log = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main() {
  const mode = args.quick ? "quick" : "full";
  const plan = args["auto-entities"] ? { ...plans[mode], auto: { ...plans[mode].auto, entities: Number(args["auto-entities"]) } } : plans[mode];
  const only = args.only ? new Set(args.only.split(",").map((s) => s.trim())) : null;
  const wanted = ORDER.filter((s) => !only || only.has(s) || (s === "fanout" && only.has("cache")));
  const extraVars = Object.fromEntries(
    args.var.map((v) => {
      const i = v.indexOf(":");
      if (i < 1) throw new Error(`--var wants NAME:VALUE, got ${v}`);
      return [v.slice(0, i), v.slice(i + 1)];
    }),
  );

  const startedAt = new Date();
  const loadAtStart = loadavg().map((n) => Math.round(n * 100) / 100);
  const results = { ...emptyResults(), errors: {} };
  const meta = {
    mode,
    scenarios: wanted,
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
    node: process.version,
    wrangler: await wranglerVersion(root),
    runtime: "wrangler dev (workerd, local mode)",
    latencyMs: plan.latencyMs,
    plan,
    vars: extraVars,
    providerCallsBatchSize: args["provider-batch"] ? Number(args["provider-batch"]) : "as in wrangler.toml",
  };
  const tmp = await mkdtemp(join(tmpdir(), "dossier-bench-"));
  const persistDir = join(tmp, "state");
  const logPath = join(tmp, "wrangler-dev.log");
  const fake = createFakeProvider({ seed: Number(args.seed) });
  const receiver = createWebhookReceiver({ seed: Number(args.seed) });
  /** The test suite's fake LLM servers (test/fake-llm), for the LLM scenario. */
  let fakeLlm = null;
  let dev = null;
  let sampler = null;
  let reported = false;

  async function shutdown() {
    sampler?.stop();
    await dev?.stop().catch(() => {});
    await stopAllGroups();
    await fake.close().catch(() => {});
    await receiver.close().catch(() => {});
    await fakeLlm?.close().catch(() => {});
    if (!args.keep) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  }

  /** Writes latest.json and prints the table, once, with whatever was measured. Returns the exit code. */
  async function report() {
    if (reported) return 0;
    reported = true;
    results.meta = {
      ...meta,
      durationMs: Date.now() - startedAt.getTime(),
      // Other work on the machine shares its cores with the dev server; these say how busy it was.
      loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
      responses: { total: responses.total, byStatus: responses.byStatus, serverErrors: responses.serverErrors.slice(0, 10) },
    };
    if (Object.keys(results.errors).length === 0) delete results.errors;
    else {
      const tail = (await readFile(logPath, "utf8").catch(() => "")).slice(-4000);
      if (tail) results.meta.devServerLogTail = tail;
    }
    await mkdir(resultsDir, { recursive: true });
    const json = `${JSON.stringify(results, null, 2)}\n`;
    const out = resolve(root, args.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, json);
    await writeFile(join(resultsDir, `${mode}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`), json);
    const load = results.meta.loadAverage;
    process.stdout.write(
      `\nDossier bench (${mode}): ${meta.machine.cpus} cores, ${Math.round(results.meta.durationMs / 1000)} s, load average ${load.atStart[0]} → ${load.atEnd[0]}\n\n`,
    );
    process.stdout.write(`${renderTable(results)}\n\nwrote ${relative(root, out)}\n`);
    const failures = gateFailures(results);
    if (failures.length === 0) return 0;
    process.stdout.write(`\nfault targets missed:\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
    return 1;
  }

  const hardLimit = setTimeout(async () => {
    log(`hard time limit (${plan.hardLimitMs / 1000} s) reached; reporting what was measured and stopping`);
    results.errors.harness = `hard time limit of ${plan.hardLimitMs / 1000} s reached`;
    await report().catch((e) => log(`report failed: ${e}`));
    await shutdown();
    process.exit(2);
  }, plan.hardLimitMs);
  installCleanupHandlers(shutdown);

  try {
    await fake.listen();
    await receiver.listen();
    let fusion = null;
    // The Entity Enricher pair of scenario 10 needs one LLM record, made on the same fake.
    if (wanted.includes("llm") || wanted.includes("compat")) {
      const started = await (await importTs(root, tmp, "test/fake-provider/server.ts")).startFakeProvider();
      fakeLlm = { url: `http://127.0.0.1:${started.port}`, close: started.close };
      fusion = await importTs(root, tmp, "src/features/llm/fusion.ts");
      log(`fake LLM ${fakeLlm.url}`);
    }
    log(`fake provider ${fake.url}, webhook receiver ${receiver.url}, state in ${tmp}`);
    let t = Date.now();
    const configPath = await benchConfig(root, tmp, { providerBatch: args["provider-batch"] ? Number(args["provider-batch"]) : null });
    await applyMigrations({ root, persistDir, configPath });
    log(`migrations applied (${Date.now() - t} ms)`);
    t = Date.now();
    dev = await startDevServer({ root, persistDir, logPath, extraVars, configPath, inspector: args.profile });
    log(`wrangler dev ready on ${dev.url} (${Date.now() - t} ms), pid ${dev.pid}`);
    sampler = startRssSampler(dev.pid);

    const probe = await setupOrg(dev.url, { name: "bench probe", integrations: [], providerUrl: fake.url });
    const catalog = (await probe.api.json("GET", "/v1/integrations")).data;
    const byCode = new Map(catalog.map((i) => [i.code, i]));
    const integrations = benchIntegrationsOf(catalog);
    const jobsAvailable = (await probe.api.call("GET", "/v1/jobs", { expect: [200, 404] })).status === 200;

    const ctx = {
      root,
      persistDir,
      configPath,
      baseUrl: dev.url,
      runId: startedAt.getTime().toString(36),
      latencyMs: plan.latencyMs,
      fake,
      fakeLlm,
      fusion,
      receiver,
      sampler,
      integrations,
      caps: Object.fromEntries(integrations.map((c) => [c, byCode.get(c).maxConcurrency])),
      credits: Object.fromEntries(integrations.map((c) => [c, byCode.get(c).credits])),
      timeouts: Object.fromEntries(integrations.map((c) => [c, byCode.get(c).timeoutMs])),
    };
    meta.integrations = integrations;
    meta.integrationCaps = ctx.caps;
    meta.workerErrors = {};
    const devLog = createLogCursor(logPath);
    await devLog.skipToEnd();

    let first = null;
    /** Work a scenario leaves for the end of the run (waiting out webhook retries while others run). */
    const finishers = [];
    const scenarios = {
      fanout: async () => {
        first = await fanout(ctx, plan.fanout);
        results.fanout = first.result;
      },
      cache: async () => {
        if (!first?.result.completed) throw new Error("needs a completed fan-out job");
        results.cache = await cache(ctx, first, plan.cache);
      },
      sse: async () => {
        results.sse = await sse(ctx, plan.sse);
      },
      overhead: async () => {
        results.overhead = await overhead(ctx, plan.overhead);
      },
      faults: async () => {
        const measured = await faults(ctx, plan.faults);
        results.faults = measured.result;
        finishers.push(["faults", async () => (results.faults = await measured.finish())]);
      },
      auto: async () => {
        // Locally one consumer invocation runs at a time, so its connection cap bounds the provider calls in flight.
        results.auto = await autoEnrichment({ ...ctx, connections: Number(extraVars.MAX_CONNECTIONS_PER_INVOCATION ?? 6) }, plan.auto);
      },
      rules: async () => {
        results.rules = await rulesScenario(ctx, plan.rules);
      },
      scaling: async () => {
        results.scaling = await scaling(ctx, { ...plan.scaling, reuse: plan.scaling.reuseFanout && first?.result.completed ? [reusedStep(first.result)] : [] });
      },
      llm: async () => {
        results.llm = await llm(ctx, plan.llm);
      },
      compat: async () => {
        results.compat = await compat(ctx, plan.compat);
      },
    };
    for (const name of wanted) {
      if (NEEDS_JOBS.has(name) && !jobsAvailable) {
        results.errors[name] = "skipped: the jobs API is not available (GET /v1/jobs → 404)";
        continue;
      }
      log(`scenario ${name}…`);
      const began = Date.now();
      const profiler = args.profile ? await startProfiler(dev.inspectorPort) : null;
      try {
        await withTimeout(scenarios[name](), budgetOf(name, plan), name);
      } catch (error) {
        results.errors[name] = String(error?.stack ?? error);
        log(`scenario ${name} failed: ${error?.message ?? error}`);
      }
      if (profiler) {
        const profile = await profiler.stop();
        const file = join(resultsDir, `profile-${mode}-${name}.cpuprofile`);
        await mkdir(resultsDir, { recursive: true });
        await writeFile(file, JSON.stringify(profile));
        meta.profiles = { ...meta.profiles, [name]: { file: relative(root, file), ...hotspots(profile) } };
        log(`profile of ${name}: ${relative(root, file)}; busiest: ${meta.profiles[name].top.slice(0, 3).map((t) => `${t.fn} ${t.share}%`).join(", ")}`);
      }
      meta.workerErrors[name] = await devLog.errorsSince();
      log(`scenario ${name} done (${Date.now() - began} ms)`);
    }
    for (const [name, finish] of finishers) {
      log(`settling ${name}…`);
      try {
        await withTimeout(finish(), plan[name].webhookSettleMs + 60_000, `${name} (settling)`);
      } catch (error) {
        results.errors[name] = String(error?.stack ?? error);
        log(`settling ${name} failed: ${error?.message ?? error}`);
      }
      meta.workerErrors[`${name} (settling)`] = await devLog.errorsSince();
    }
  } catch (error) {
    results.errors.harness = String(error?.stack ?? error);
    log(`harness failure: ${error?.stack ?? error}`);
  } finally {
    clearTimeout(hardLimit);
    const code = await report();
    await shutdown();
    process.exitCode = results.errors?.harness ? 2 : code;
  }
}

/** The fan-out job doubles as the scaling step of its size. */
const reusedStep = (f) => ({
  entities: f.entities,
  jobs: 1,
  wallMs: f.wallMs,
  peakRssMb: f.peakRssMb,
  rssGrowthMb: Math.round((f.memory.peakRssMb - f.memory.startRssMb) * 10) / 10,
  providerCalls: f.providerCalls,
  providerPeakConcurrency: f.providerPeakConcurrency,
  timeline: f.timeline,
  completed: true,
});

/** How long a scenario may take in all before the run gives up on it and goes on with the next. */
function budgetOf(name, plan) {
  const slack = 60_000;
  switch (name) {
    case "overhead":
      return 3 * plan.overhead.durationS * 1000 + slack;
    case "compat":
      return plan.compat.timeoutMs + 6 * plan.compat.durationS * 1000 + slack;
    case "faults":
      return plan.faults.timeoutMs + plan.faults.webhookSettleMs + 2 * slack;
    case "scaling":
      return plan.scaling.timeoutMs * (plan.scaling.sizes.length + 1) + slack;
    default:
      return plan[name].timeoutMs + slack;
  }
}

function withTimeout(promise, ms, name) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scenario ${name} took longer than ${ms / 1000} s; abandoned`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// Exits explicitly: an abandoned scenario may still hold sockets open.
main().then(() => process.exit(process.exitCode ?? 0), async (error) => {
  log(`harness failure: ${error?.stack ?? error}`);
  await stopAllGroups();
  process.exit(2);
});
