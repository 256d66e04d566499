import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, runToEnd, sleep, startGroup, stopGroup } from "./processes.mjs";

const WRANGLER = join("node_modules", "wrangler", "bin", "wrangler.js");
const DEV_WORKER = join("bench", "lib", "dev-worker.mjs");

/** Throwaway credentials for this local run only; the dev server never leaves 127.0.0.1. */
export const BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
const BENCH_ENCRYPTION_KEY = "bench-encryption-key-0123456789abcdef";

function wranglerEnv() {
  return {
    ...process.env,
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
    NO_UPDATE_NOTIFIER: "1",
    FORCE_COLOR: "0",
    // Keeps miniflare from fetching the Request.cf template from workers.cloudflare.com: nothing leaves 127.0.0.1.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  };
}

/** `wrangler d1 migrations apply DB --local` into the run's own persistence directory. */
const configArgs = (configPath) => (configPath ? ["--config", configPath] : []);

export async function applyMigrations({ root, persistDir, configPath }) {
  const out = await runToEnd(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local", ...configArgs(configPath), "--persist-to", persistDir], {
    cwd: root,
    env: wranglerEnv(),
    timeoutMs: 120_000,
  });
  if (out.code !== 0) throw new Error(`D1 migrations failed (${out.timedOut ? "timed out" : `exit ${out.code}`}):\n${(out.stderr || out.stdout).slice(-2000)}`);
}

/** Read-only SQL against the local D1 of this run, as wrangler sees it (`wrangler d1 execute --local --json`). */
export async function queryLocalD1({ root, persistDir, configPath }, sql) {
  const out = await runToEnd(
    process.execPath,
    [WRANGLER, "d1", "execute", "DB", "--local", ...configArgs(configPath), "--persist-to", persistDir, "--json", "--command", sql],
    { cwd: root, env: wranglerEnv(), timeoutMs: 60_000 },
  );
  if (out.code !== 0) throw new Error(`wrangler d1 execute failed: ${(out.stderr || out.stdout).slice(-1000)}`);
  const parsed = JSON.parse(out.stdout);
  return parsed[0]?.results ?? [];
}

/**
 * `wrangler dev` on 127.0.0.1 with the bench's vars: loopback fetches allowed (the fake provider lives there),
 * a rate limit nobody reaches, and the run's persistence directory. Resolves once /healthz answers. Started
 * through bench/lib/dev-worker.mjs (wrangler's API) so the inspector stays off unless `inspector` is set.
 */
export async function startDevServer({ root, persistDir, logPath, extraVars = {}, configPath, inspector = false, startTimeoutMs = 90_000 }) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const vars = {
    ALLOW_LOOPBACK_FETCH: "true",
    RATE_LIMIT_PER_MINUTE: "1000000000",
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
    ...extraVars,
  };
  const options = { configPath, port, persistDir, vars, inspectorPort: inspector ? inspectorPort : null };
  const args = [DEV_WORKER, JSON.stringify(options)];
  const proc = startGroup(process.execPath, args, { cwd: root, env: wranglerEnv(), logPath });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + startTimeoutMs;
  let exited = null;
  proc.exited.then((e) => (exited = e));
  while (Date.now() < until && !exited) {
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { url, port, inspectorPort, pid: proc.pid, stop: () => stopGroup(proc.pid), exited: proc.exited };
    await sleep(200);
  }
  await stopGroup(proc.pid);
  const tail = (await readFile(logPath, "utf8").catch(() => "")).slice(-3000);
  throw new Error(`wrangler dev did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : "timed out"}):\n${tail}`);
}

export async function wranglerVersion(root) {
  const pkg = JSON.parse(await readFile(join(root, "node_modules", "wrangler", "package.json"), "utf8"));
  return pkg.version;
}
