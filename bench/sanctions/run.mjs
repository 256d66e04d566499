#!/usr/bin/env node
/**
 * npx node bench/sanctions/run.mjs [--csv path] [--persist-to dir] [--sample 500] [--negatives 500] [--seed 1]
 *
 * Precision, recall and time per screening of `sanctions_screen`, end to end: starts `wrangler dev` on
 * 127.0.0.1 against the local D1 (where `npm run sanctions:import` loaded the list), and for every case
 * creates an entity and runs POST /v1/entities/:id/enrichments with sanctions_screen, one at a time.
 * Cases come from the same CSV (bench/sanctions/cases.mjs). Writes bench/results/sanctions-<time>.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseSdnCsv } from "../../src/features/screening/matching/parse-sdn-csv.ts";
import { freePort, sleep } from "../lib/processes.mjs";
import { buildCases } from "./cases.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    csv: { type: "string", default: "../shared/data/ofac-sdn-2024-05-03.csv" },
    "persist-to": { type: "string", default: ".wrangler/state" },
    sample: { type: "string", default: "500" },
    negatives: { type: "string", default: "500" },
    seed: { type: "string", default: "1" },
  },
});

const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
const WRANGLER = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/** `wrangler dev` in its own process group, so stopping it stops workerd too. */
async function startWorker() {
  const [port, inspector] = [await freePort(), await freePort()];
  const vars = { ADMIN_TOKEN, ENCRYPTION_KEY: "bench-encryption-key-0123456789abcdef", RATE_LIMIT_PER_MINUTE: "1000000000" };
  const child = spawn(
    process.execPath,
    [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", args["persist-to"],
      "--show-interactive-dev-session=false", "--log-level", "warn", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
    { cwd: root, detached: true, stdio: "ignore", env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" } },
  );
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  process.on("exit", stop);
  const url = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 120_000; Date.now() < until; await sleep(250)) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, stop };
  }
  stop();
  throw new Error("wrangler dev did not start");
}

async function api(url, method, path, { key, body, admin } = {}) {
  const headers = { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  if (admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const started = performance.now();
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return { json, ms: performance.now() - started };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const round = (n, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function main() {
  const csv = readFileSync(resolve(root, args.csv), "utf8");
  const checksum = createHash("sha256").update(csv).digest("hex");
  const { entries } = parseSdnCsv(csv);
  const { cases, sampled, skippedAsListed } = buildCases(entries, { sample: Number(args.sample), negatives: Number(args.negatives), seed: Number(args.seed) });

  const worker = await startWorker();
  try {
    const status = (await api(worker.url, "GET", "/v1/admin/sanctions/status", { admin: true })).json;
    if (!status.loaded) throw new Error("No sanctions list in the local database: run `npm run sanctions:import` first");
    if (status.active.checksum !== checksum) throw new Error(`The loaded list (${status.source}) is not ${args.csv}; import it first`);
    const org = (await api(worker.url, "POST", "/v1/admin/organizations", { admin: true, body: { name: "sanctions bench", billingMode: "postpaid" } })).json;
    const key = org.apiKey.key;

    const outcomes = [];
    for (const [i, c] of cases.entries()) {
      const entity = (await api(worker.url, "POST", "/v1/entities", { key, body: { type: c.entityType, attributes: c.attributes } })).json;
      const run = await api(worker.url, "POST", `/v1/entities/${entity.id}/enrichments`, { key, body: { integrationCodes: ["sanctions_screen"] } });
      const result = run.json.results[0];
      if (!result.success) throw new Error(`screening failed: ${JSON.stringify(result.error)}`);
      const data = result.result.enrichmentData;
      outcomes.push({ ...c, hit: data.hit, found: data.matches.map((m) => m.sdnId), top: data.matches[0]?.score ?? null, executionMs: result.executionTime, httpMs: run.ms });
      if ((i + 1) % 500 === 0) console.log(`${i + 1}/${cases.length}`);
    }

    const kinds = [...new Set(outcomes.map((o) => o.kind))];
    const byKind = Object.fromEntries(
      kinds.map((kind) => {
        const of = outcomes.filter((o) => o.kind === kind);
        return kind === "negative"
          ? [kind, { cases: of.length, falseHits: of.filter((o) => o.hit).length }]
          : [kind, { cases: of.length, recall: round(of.filter((o) => o.found.includes(o.expected)).length / of.length, 4) }];
      }),
    );
    const positives = outcomes.filter((o) => o.expected !== null);
    const truePositives = positives.filter((o) => o.found.includes(o.expected)).length;
    const falseHits = outcomes.filter((o) => o.expected === null && o.hit).length;
    const wrongOnly = positives.filter((o) => o.hit && !o.found.includes(o.expected)).length;
    const exec = outcomes.map((o) => o.executionMs);
    const http = outcomes.map((o) => o.httpMs);
    const report = {
      at: new Date().toISOString(),
      list: { source: status.source, entries: status.entries, names: status.names, checksum },
      setup: { sampledEntries: sampled, cases: outcomes.length, negativesSkippedAsListed: skippedAsListed, seed: Number(args.seed), threshold: 0.85 },
      recall: round(truePositives / positives.length, 4),
      precision: round(truePositives / (truePositives + falseHits + wrongOnly), 4),
      falseHitsOnNegatives: falseHits,
      positivesHittingOnlyOtherEntries: wrongOnly,
      byKind,
      timeMs: {
        integrationMedian: quantile(exec, 0.5),
        integrationP95: quantile(exec, 0.95),
        integrationMean: round(exec.reduce((a, b) => a + b, 0) / exec.length),
        enrichmentRequestMedian: round(quantile(http, 0.5)),
        enrichmentRequestP95: round(quantile(http, 0.95)),
      },
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        memoryGiB: round(totalmem() / 2 ** 30, 1),
        node: process.version,
        wrangler: spawnSync(process.execPath, [WRANGLER, "--version"], { encoding: "utf8" }).stdout.trim(),
        runtime: "wrangler dev (workerd) with local D1 (SQLite), one request at a time",
      },
      falseHitExamples: outcomes.filter((o) => o.expected === null && o.hit).slice(0, 20).map((o) => [o.attributes.fullName ?? o.attributes.name, o.top]),
      missExamples: positives.filter((o) => !o.found.includes(o.expected)).slice(0, 30).map((o) => [o.kind, o.attributes.fullName ?? o.attributes.name, o.expected]),
    };
    mkdirSync(join(root, "bench", "results"), { recursive: true });
    const file = join(root, "bench", "results", `sanctions-${report.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify({ recall: report.recall, precision: report.precision, byKind, timeMs: report.timeMs, machine: report.machine }, null, 2));
    console.log(`Written to ${file}`);
  } finally {
    worker.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
