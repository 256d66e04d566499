#!/usr/bin/env node
// `npm run dev`: a working local Dossier from a fresh checkout. Creates .dev.vars with random secrets when it is
// missing, applies the local D1 migrations, starts `wrangler dev` on http://localhost:8787 (`--port N` or PORT=N for
// another), loads the bundled OFAC SDN list into an empty local database when the file is there, and creates (once) a
// demo organization whose admin API key it prints on every run. `--allow-loopback` lets the server call 127.0.0.1
// (a local webhook receiver, a provider you run yourself). wrangler's own start-up output is held back until the
// server is up (and shown in full if it fails), so what comes before the demo key is a few lines.
// Node 22 built-ins only, so it runs before anything but `npm install`.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { basename, dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: npm run dev [-- --port <port>] [-- --allow-loopback]   (or PORT=<port> npm run dev)";
const DEV_VARS = join(root, ".dev.vars");
const DEMO_STATE = join(root, ".wrangler", "state", "dossier-demo.json");
/** The OFAC SDN list bundled beside the repository (see README, Sanctions screening); loaded only if present. */
const BUNDLED_SDN = resolve(root, "..", "shared", "data", "ofac-sdn-2024-05-03.csv");
const WRANGLER = join(root, "node_modules", ".bin", process.platform === "win32" ? "wrangler.cmd" : "wrangler");
// Nothing leaves this machine: no usage metrics, and no download of Cloudflare's `Request.cf` sample
// (a placeholder is used instead).
const childEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

const say = (line) => console.log(`[dossier] ${line}`);

class UsageError extends Error {}

function readOptions() {
  let parsed;
  try {
    parsed = parseArgs({ options: { port: { type: "string" }, "allow-loopback": { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const raw = parsed.values.port ?? process.env.PORT ?? "8787";
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new UsageError(`"${raw}" is not a port (1-65535)\n${USAGE}`);
  return { port, allowLoopback: parsed.values["allow-loopback"] === true };
}

/** Fails with a clear message when something already listens on the port (wrangler would otherwise pick another). */
async function ensurePortFree(port) {
  await new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", (error) => {
      if (error.code !== "EADDRINUSE") return fail(error);
      fail(
        new UsageError(
          `port ${port} is already in use (another \`npm run dev\`?). Stop that server, or choose another port: ` +
            `npm run dev -- --port ${port + 1}   (or PORT=${port + 1} npm run dev)`,
        ),
      );
    });
    probe.listen(port, "127.0.0.1", () => probe.close(done));
  });
}

function ensureDevVars() {
  if (existsSync(DEV_VARS)) return;
  const secret = () => randomBytes(32).toString("base64url");
  writeFileSync(
    DEV_VARS,
    [
      "# Local secrets for `wrangler dev`, made by scripts/dev.mjs. Never commit this file.",
      `ADMIN_TOKEN=${secret()}`,
      `ENCRYPTION_KEY=${secret()}`,
      "# Outbound fetches to 127.0.0.1 stay off; `npm run dev -- --allow-loopback` turns them on for one run.",
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

/** Applies pending migrations quietly: one line when some were applied, wrangler's whole output when it failed. */
function applyMigrations() {
  const result = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local"], {
    cwd: root,
    encoding: "utf8",
    env: { ...childEnv, CI: "true", NO_COLOR: "1" },
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) {
    process.stderr.write(output);
    throw new Error(`wrangler d1 migrations apply failed (exit ${result.status ?? result.signal})`);
  }
  const applied = [...new Set(output.match(/\b\d{4}_[\w-]+\.sql\b/g) ?? [])];
  if (applied.length > 0) say(`applied ${applied.length} database migration${applied.length === 1 ? "" : "s"} (${applied.join(", ")})`);
}

/** wrangler dev; its output is held until `release()` (the API is up) and printed whole if it exits before that. */
function startWrangler({ port, allowLoopback }) {
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  if (allowLoopback) args.push("--var", "ALLOW_LOOPBACK_FETCH:true");
  const server = spawn(WRANGLER, args, { cwd: root, stdio: ["inherit", "pipe", "pipe"], env: childEnv });
  let held = "";
  let holding = true;
  for (const [stream, target] of [
    [server.stdout, process.stdout],
    [server.stderr, process.stderr],
  ]) {
    stream.on("data", (chunk) => {
      if (holding) held += chunk.toString();
      else target.write(chunk);
    });
  }
  return {
    server,
    release() {
      holding = false;
      held = "";
    },
    dump() {
      if (held) process.stderr.write(held);
      held = "";
    },
  };
}

async function waitForHealth(server, baseUrl) {
  for (let i = 0; i < 240; i++) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited (code ${server.exitCode}) before the API came up`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(500);
  }
  throw new Error(`the API did not answer ${baseUrl}/healthz within two minutes`);
}

async function operator(baseUrl, method, path, init = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...init,
    headers: { authorization: `Bearer ${readDevVar("ADMIN_TOKEN")}`, ...init.headers },
  });
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) };
}

/** An empty local list gets the bundled OFAC SDN copy (through the operator upload), so sanctions_screen works at once. */
async function loadBundledSanctionsList(baseUrl) {
  const status = await operator(baseUrl, "GET", "/v1/admin/sanctions/status");
  if (status.status !== 200) throw new Error(`reading the sanctions list status failed: ${status.status} ${status.body}`);
  if (status.json().loaded) return;
  if (!existsSync(BUNDLED_SDN)) {
    say(`no OFAC SDN list is loaded and ${relative(root, BUNDLED_SDN)} is not there: sanctions_screen answers an error until one is (README, Sanctions screening)`);
    return;
  }
  say(`loading the OFAC SDN list from ${relative(root, BUNDLED_SDN)} (first run only)`);
  const source = basename(BUNDLED_SDN);
  const res = await operator(baseUrl, "POST", `/v1/admin/sanctions/import?source=${encodeURIComponent(source)}`, {
    headers: { "content-type": "text/csv" },
    body: readFileSync(BUNDLED_SDN),
  });
  if (res.status !== 200) throw new Error(`loading the OFAC SDN list failed: ${res.status} ${res.body}`);
  say(`loaded ${res.json().entries} SDN entries`);
}

/** The demo key from an earlier run, if it still opens this local database (a wiped database invalidates it). */
async function rememberedDemo(baseUrl) {
  if (!existsSync(DEMO_STATE)) return null;
  const demo = JSON.parse(readFileSync(DEMO_STATE, "utf8"));
  const res = await fetch(`${baseUrl}/v1/api-keys?limit=1`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
  return res.ok ? demo : null;
}

async function createDemo(baseUrl) {
  const res = await operator(baseUrl, "POST", "/v1/admin/organizations", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Demo organization", billingMode: "prepaid", initialCredits: 1000 }),
  });
  if (res.status !== 201) throw new Error(`creating the demo organization failed: ${res.status} ${res.body}`);
  const body = res.json();
  const demo = { organizationId: body.organization.id, apiKey: body.apiKey.key, createdAt: body.organization.createdAt };
  mkdirSync(dirname(DEMO_STATE), { recursive: true });
  writeFileSync(DEMO_STATE, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}

function printDemo(demo, fresh, { port, allowLoopback }) {
  const line = "=".repeat(78);
  console.log(
    [
      "",
      line,
      `  Dossier is running on http://localhost:${port}  (reference: http://localhost:${port}/docs)`,
      `  ${fresh ? "Created" : "Using"} the demo organization ${demo.organizationId} (prepaid, 1000 credits at creation).`,
      "  Its admin API key:",
      "",
      `    ${demo.apiKey}`,
      "",
      `  Try: curl -H "Authorization: Bearer ${demo.apiKey}" http://localhost:${port}/v1/entities`,
      `  (kept in ${DEMO_STATE.slice(root.length + 1)}; the operator ADMIN_TOKEN is in .dev.vars)`,
      ...(allowLoopback ? ["  --allow-loopback: outbound calls to 127.0.0.1 and ::1 are allowed in this run."] : []),
      line,
      "",
    ].join("\n"),
  );
}

async function main() {
  const options = readOptions();
  const baseUrl = `http://127.0.0.1:${options.port}`;
  await ensurePortFree(options.port);
  ensureDevVars();
  applyMigrations();
  say(`starting wrangler dev on http://localhost:${options.port}${options.allowLoopback ? " (loopback fetches allowed)" : ""}`);
  const wrangler = startWrangler(options);
  const { server } = wrangler;
  const stop = (signal) => {
    if (server.exitCode === null) server.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  server.on("exit", (code, signal) => {
    wrangler.dump();
    process.exit(code ?? (signal ? 0 : 1));
  });
  try {
    await waitForHealth(server, baseUrl);
    await loadBundledSanctionsList(baseUrl);
    const remembered = await rememberedDemo(baseUrl);
    const demo = remembered ?? (await createDemo(baseUrl));
    wrangler.release();
    printDemo(demo, remembered === null, options);
  } catch (error) {
    wrangler.dump();
    console.error(`[dossier] ${error instanceof Error ? error.message : error}`);
    stop("SIGTERM");
  }
}

main().catch((error) => {
  console.error(`[dossier] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
