#!/usr/bin/env node
/**
 * The bench's fake provider: a Node HTTP server on 127.0.0.1 that answers the `http_lookup` integrations
 * (GET /lookup?integration=&name=&email=&domain=&scenario= → {fields, confidence, requestId}) with a latency
 * distribution, 5xx errors, 429 + Retry-After and hangs, configurable per integration ("route") and per run.
 *
 * It counts every call, tracks peak concurrency (overall and per route), and records when it answered each
 * call under a request id that it also puts in the answer body, so a bench can correlate the answer with the
 * event the API emits for it.
 *
 * Fates are deterministic: a call's fate is a hash of (seed, integration, lookup, attempt number), so the same
 * run configuration fails the same tasks every time, whatever order the calls arrive in.
 *
 * Standalone: `node bench/fake-provider.mjs [--port N] [--profile '<json>']`; then
 * GET /_bench/stats, PUT /_bench/profile (JSON body), POST /_bench/reset.
 */
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

/** @typedef {{dist:"fixed",ms:number}|{dist:"uniform",min:number,max:number}|{dist:"normal",mean:number,sd:number}|{dist:"exponential",mean:number}} Latency */

/**
 * @typedef {object} RouteProfile
 * @property {Latency} [latency] answer delay of normal and error answers
 * @property {number} [errorRate] share of calls answered with `errorStatus`
 * @property {number} [errorStatus] 5xx status used for errors (default 503)
 * @property {number} [rate429] share of calls answered 429 with Retry-After
 * @property {number} [retryAfterSeconds] the Retry-After value (default 1)
 * @property {number} [hangRate] share of calls that hang for `hangMs`
 * @property {number} [hangMs] how long a hang lasts before a (too late) answer
 * @property {number} [noDataRate] share of calls answered 200 with no fields
 */

export const DEFAULT_ROUTE = Object.freeze({
  latency: { dist: "fixed", ms: 100 },
  errorRate: 0,
  errorStatus: 503,
  rate429: 0,
  retryAfterSeconds: 1,
  hangRate: 0,
  hangMs: 10_000,
  noDataRate: 0,
});

/** FNV-1a, then a splitmix-style finalizer: a well-spread uniform in [0, 1) from a string. */
export function unitHash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

export function sampleLatency(latency, u1, u2) {
  switch (latency?.dist) {
    case undefined:
      return 0;
    case "fixed":
      return latency.ms;
    case "uniform":
      return latency.min + (latency.max - latency.min) * u1;
    case "normal": {
      // Box-Muller; clamped at zero because a provider cannot answer before it is asked.
      const z = Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
      return Math.max(0, latency.mean + latency.sd * z);
    }
    case "exponential":
      return -latency.mean * Math.log(Math.max(1 - u1, 1e-12));
    default:
      throw new Error(`Unknown latency distribution ${JSON.stringify(latency)}`);
  }
}

/** What happens to a call: the first matching band of [0,1) wins. */
export function fateOf(route, u) {
  let edge = route.errorRate;
  if (u < edge) return "error";
  edge += route.hangRate;
  if (u < edge) return "hang";
  edge += route.rate429;
  if (u < edge) return "rate_limited";
  edge += route.noDataRate;
  if (u < edge) return "nodata";
  return "ok";
}

function emptyStats() {
  return {
    calls: 0,
    byRoute: {},
    byFate: {},
    byTag: {},
    inFlight: 0,
    peakConcurrency: 0,
    peakByRoute: {},
    inFlightByRoute: {},
    aborted: 0,
    /** Calls per (route, lookup): the first is the task, the rest are retries. */
    attempts: new Map(),
  };
}

const bump = (record, key, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

export function createFakeProvider({ seed = 1 } = {}) {
  let profile = { default: { ...DEFAULT_ROUTE }, routes: {} };
  let stats = emptyStats();
  /** requestId → {route, lookup, tag, fate, status, answeredAt (performance.now())} */
  let answers = new Map();
  let sequence = 0;
  const pending = new Set();

  const routeOf = (name) => ({ ...profile.default, ...(profile.routes[name] ?? {}) });

  function configure(next = {}) {
    profile = { default: { ...DEFAULT_ROUTE, ...(next.default ?? {}) }, routes: { ...(next.routes ?? {}) } };
  }

  function reset() {
    stats = emptyStats();
    answers = new Map();
  }

  function snapshot() {
    const tasks = stats.attempts.size;
    return {
      calls: stats.calls,
      tasks,
      retries: stats.calls - tasks,
      byRoute: { ...stats.byRoute },
      byFate: { ...stats.byFate },
      byTag: { ...stats.byTag },
      peakConcurrency: stats.peakConcurrency,
      peakByRoute: { ...stats.peakByRoute },
      inFlight: stats.inFlight,
      aborted: stats.aborted,
    };
  }

  function lookup(req, res, url) {
    const route = url.searchParams.get("integration") ?? "unknown";
    const who = url.searchParams.get("name") ?? url.searchParams.get("email") ?? url.searchParams.get("domain") ?? "";
    const tag = url.searchParams.get("scenario") ?? "";
    const lookupKey = `${route}|${who}|${tag}`;
    const attempt = (stats.attempts.get(lookupKey) ?? 0) + 1;
    stats.attempts.set(lookupKey, attempt);
    const requestId = `fp-${++sequence}`;
    const config = routeOf(route);
    const fate = fateOf(config, unitHash(`${seed}|${lookupKey}|${attempt}|fate`));
    const delay =
      fate === "hang"
        ? config.hangMs
        : sampleLatency(config.latency, unitHash(`${seed}|${lookupKey}|${attempt}|l1`), unitHash(`${seed}|${lookupKey}|${attempt}|l2`));

    stats.calls++;
    bump(stats.byRoute, route);
    bump(stats.byFate, fate);
    bump(stats.byTag, tag);
    stats.inFlight++;
    bump(stats.inFlightByRoute, route);
    stats.peakConcurrency = Math.max(stats.peakConcurrency, stats.inFlight);
    stats.peakByRoute[route] = Math.max(stats.peakByRoute[route] ?? 0, stats.inFlightByRoute[route]);
    const counted = stats;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      counted.inFlight--;
      bump(counted.inFlightByRoute, route, -1);
    };
    res.once("close", () => {
      if (!res.writableFinished) counted.aborted++;
      finish();
    });

    const answer = () => {
      pending.delete(timer);
      if (res.destroyed) return finish();
      let status = 200;
      let headers = { "content-type": "application/json" };
      let body;
      switch (fate) {
        case "error":
          status = config.errorStatus;
          body = { error: "fake provider failure", requestId };
          break;
        case "rate_limited":
          status = 429;
          headers = { ...headers, "retry-after": String(config.retryAfterSeconds) };
          body = { error: "slow down", requestId };
          break;
        case "nodata":
          body = { fields: {}, confidence: 0, requestId };
          break;
        default:
          body = {
            fields: { title: `Title of ${who || "someone"} from ${route}`, seniority: "senior", benchRoute: route },
            confidence: 0.9,
            requestId,
          };
      }
      answers.set(requestId, { route, lookup: who, tag, fate, status, answeredAt: performance.now() });
      res.writeHead(status, headers);
      res.end(JSON.stringify(body));
    };
    const timer = setTimeout(answer, delay);
    pending.add(timer);
  }

  async function control(req, res, url) {
    const send = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/_bench/stats" && req.method === "GET") return send(200, snapshot());
    if (url.pathname === "/_bench/reset" && req.method === "POST") {
      reset();
      return send(200, { ok: true });
    }
    if (url.pathname === "/_bench/profile" && req.method === "PUT") {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      try {
        configure(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        return send(400, { error: String(error) });
      }
      return send(200, profile);
    }
    return send(404, { error: "no such control route" });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/_bench/")) return void control(req, res, url);
    if (url.pathname === "/lookup" && req.method === "GET") return lookup(req, res, url);
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "no such fake route" }));
  });
  server.keepAliveTimeout = 30_000;

  return {
    server,
    configure,
    reset,
    stats: snapshot,
    answers: () => answers,
    get profile() {
      return profile;
    },
    /** Listens on 127.0.0.1 only. */
    async listen(port = 0) {
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      const { port: bound } = server.address();
      this.url = `http://127.0.0.1:${bound}/`;
      return this.url;
    },
    url: "",
    async close() {
      for (const t of pending) clearTimeout(t);
      pending.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const fake = createFakeProvider({ seed: Number(arg("seed") ?? 1) });
  if (arg("profile")) fake.configure(JSON.parse(arg("profile")));
  const url = await fake.listen(Number(arg("port") ?? 0));
  process.stdout.write(`fake provider on ${url} (GET /_bench/stats, PUT /_bench/profile, POST /_bench/reset)\n`);
  const stop = async () => {
    await fake.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
