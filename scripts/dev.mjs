#!/usr/bin/env node
// `npm run dev`: a working local Dossier from a fresh checkout. Creates .dev.vars with random secrets
// when it is missing, applies the local D1 migrations, starts `wrangler dev` on http://localhost:8787,
// and creates (once) a demo organization whose admin API key it prints on every run.
// Node 22 built-ins only, so it runs before anything but `npm install`.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PORT = 8787;
const BASE_URL = `http://127.0.0.1:${PORT}`;
const DEV_VARS = join(root, ".dev.vars");
const DEMO_STATE = join(root, ".wrangler", "state", "dossier-demo.json");
const WRANGLER = join(root, "node_modules", ".bin", process.platform === "win32" ? "wrangler.cmd" : "wrangler");
// Nothing leaves this machine: no usage metrics, and no download of Cloudflare's `Request.cf` sample
// (a placeholder is used instead).
const childEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

const say = (line) => console.log(`[dossier] ${line}`);

function ensureDevVars() {
  if (existsSync(DEV_VARS)) return;
  const secret = () => randomBytes(32).toString("base64url");
  writeFileSync(
    DEV_VARS,
    [
      "# Local secrets for `wrangler dev`, made by scripts/dev.mjs. Never commit this file.",
      `ADMIN_TOKEN=${secret()}`,
      `ENCRYPTION_KEY=${secret()}`,
      "# Only tests point providers at 127.0.0.1; keep loopback fetches off here.",
      "ALLOW_LOOPBACK_FETCH=false",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  say("created .dev.vars with a random ADMIN_TOKEN and ENCRYPTION_KEY");
}

function readDevVar(name) {
  for (const line of readFileSync(DEV_VARS, "utf8").split(/\r?\n/)) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (match && match[1] === name) return match[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  throw new Error(`.dev.vars has no ${name}; add one or delete the file to have it made again`);
}

function applyMigrations() {
  say("applying local D1 migrations");
  const result = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local"], { cwd: root, stdio: "inherit", env: { ...childEnv, CI: "true" } });
  if (result.status !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${result.status ?? result.signal})`);
}

async function waitForHealth(server) {
  for (let i = 0; i < 240; i++) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited (code ${server.exitCode}) before the API came up`);
    try {
      const res = await fetch(`${BASE_URL}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(500);
  }
  throw new Error(`the API did not answer ${BASE_URL}/healthz within two minutes`);
}

/** The demo key from an earlier run, if it still opens this local database (a wiped database invalidates it). */
async function rememberedDemo() {
  if (!existsSync(DEMO_STATE)) return null;
  const demo = JSON.parse(readFileSync(DEMO_STATE, "utf8"));
  const res = await fetch(`${BASE_URL}/v1/api-keys?limit=1`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
  return res.ok ? demo : null;
}

async function createDemo() {
  const res = await fetch(`${BASE_URL}/v1/admin/organizations`, {
    method: "POST",
    headers: { authorization: `Bearer ${readDevVar("ADMIN_TOKEN")}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Demo organization", billingMode: "prepaid", initialCredits: 1000 }),
  });
  if (res.status !== 201) throw new Error(`creating the demo organization failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const demo = { organizationId: body.organization.id, apiKey: body.apiKey.key, createdAt: body.organization.createdAt };
  mkdirSync(dirname(DEMO_STATE), { recursive: true });
  writeFileSync(DEMO_STATE, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}

function printDemo(demo, fresh) {
  const line = "=".repeat(78);
  console.log(
    [
      "",
      line,
      `  Dossier is running on http://localhost:${PORT}  (reference: http://localhost:${PORT}/docs)`,
      `  ${fresh ? "Created" : "Using"} the demo organization ${demo.organizationId} (prepaid, 1000 credits at creation).`,
      "  Its admin API key:",
      "",
      `    ${demo.apiKey}`,
      "",
      `  Try: curl -H "Authorization: Bearer ${demo.apiKey}" http://localhost:${PORT}/v1/entities`,
      `  (kept in ${DEMO_STATE.slice(root.length + 1)}; the operator ADMIN_TOKEN is in .dev.vars)`,
      line,
      "",
    ].join("\n"),
  );
}

async function main() {
  ensureDevVars();
  applyMigrations();
  say(`starting wrangler dev on port ${PORT}`);
  const server = spawn(WRANGLER, ["dev", "--port", String(PORT), "--ip", "127.0.0.1"], { cwd: root, stdio: "inherit", env: childEnv });
  const stop = (signal) => {
    if (server.exitCode === null) server.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  try {
    await waitForHealth(server);
    const remembered = await rememberedDemo();
    printDemo(remembered ?? (await createDemo()), remembered === null);
  } catch (error) {
    console.error(`[dossier] ${error instanceof Error ? error.message : error}`);
    stop("SIGTERM");
  }
}

main().catch((error) => {
  console.error(`[dossier] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
