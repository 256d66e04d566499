import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider } from "../fake-provider/server";
import { Client } from "../e2e/client";
import { DevServer, freePort, run } from "../e2e/dev-server";
import { curlBatch, pythonWorkflow } from "./document-examples";
import { SCHEMA_BODY } from "../compat/enricher-schema";

/**
 * Entity Enricher's own examples (its document's Python workflow and curl batch), taken from the document at test
 * time and run against `wrangler dev`, with only the instance URL, the API key (and the curl example's schema id
 * placeholder) filled in. The document's model keys reach the fake LLM servers through the operator's base URLs.
 */
const ADMIN_TOKEN = `docs-admin-${randomBytes(16).toString("hex")}`;
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "dossier-ee-docs-"));
const scenario = randomUUID();
let provider: Awaited<ReturnType<typeof startFakeProvider>>;
let server: DevServer;
const client = new Client(() => server.url);
let key = "";

/** Runs a program to its end with `input` on stdin; answers its exit code and output. */
async function runProgram(command: string, args: string[], input: string, env: Record<string, string>) {
  // No PYTHONPATH or PYTHONHOME from a pyenv reaches Debian's python3.
  const { PYTHONPATH: _path, PYTHONHOME: _home, ...inherited } = process.env;
  const child = spawn(command, args, { env: { ...inherited, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  provider = await startFakeProvider();
  const fake = `http://127.0.0.1:${provider.port}`;
  const spec = `~id=${scenario};wrong=0`;
  const persistTo = join(dir, "state");
  const envFile = join(dir, "docs.env");
  const secrets = [`ADMIN_TOKEN=${ADMIN_TOKEN}`, `ENCRYPTION_KEY=${randomBytes(32).toString("hex")}`, "ANTHROPIC_API_KEY=sk-ant-docs-test", "OPENAI_API_KEY=sk-docs-test"];
  writeFileSync(envFile, `${secrets.join("\n")}\n`, { mode: 0o600 });
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], 90_000);
  server = new DevServer({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo,
    envFile,
    vars: { ALLOW_LOOPBACK_FETCH: "true", ANTHROPIC_BASE_URL: `${fake}/anthropic/${spec}`, OPENAI_BASE_URL: `${fake}/openai/${spec}/v1` },
  });
  await server.start();
  const created = await client.expect(201, "POST", "/v1/admin/organizations", {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    body: { name: "Entity Enricher docs", billingMode: "prepaid", initialCredits: 10_000 },
  });
  key = created.apiKey.key;
  // What the fake models answer for the company's legal name: seen in the printed structured_output.
  const scripted = await fetch(`${fake}/fake-llm/script`, { method: "POST", body: JSON.stringify({ id: scenario, answers: { "*": { legalName: "Moderna, Inc." } } }) });
  expect(scripted.status).toBe(204);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Entity Enricher's documented examples, unchanged, against wrangler dev", () => {
  let schemaId = "";

  it("the Python workflow lists schemas, enriches, streams until completed and prints the record's structured_output", async () => {
    schemaId = (await client.expect(200, "POST", "/api/schema/saved", { headers: { "x-api-key": key }, body: SCHEMA_BODY })).id;
    const code = pythonWorkflow()
      .replace('BASE = "https://your-instance.example.com"', `BASE = ${JSON.stringify(server.url)}`)
      .replace('KEY = "ent_your_api_key"', `KEY = ${JSON.stringify(key)}`);
    const python = await runProgram(PYTHON, ["-"], code, {});
    expect(python.stderr).toBe("");
    expect(python.code).toBe(0);
    const printed = JSON.parse(python.stdout);
    expect(printed.legalName).toBe("Moderna, Inc.");
    const records = await client.expect(200, "GET", "/api/records?type=enrichment", { headers: { "x-api-key": key } });
    expect(records.records).toHaveLength(1);
    expect(records.records[0]).toMatchObject({ model: "anthropic::claude-sonnet-4-5-20250929", schema_id: schemaId, strategy: "multi_expertise", success: true });
    expect(printed).toEqual(records.records[0].structured_output);
  });

  it("the curl batch example starts two entities on two models with an arbiter, streams the events and lists the records", async () => {
    const script = curlBatch().replace('"schema_id": "your-schema-uuid"', `"schema_id": "${schemaId}"`);
    const bash = await runProgram("bash", ["-euo", "pipefail"], script, { BASE: server.url, KEY: key });
    // The stream's `curl -N` (no -s) draws its progress meter on stderr; a failed transfer would say `curl: (N)`.
    expect(bash.stderr).not.toMatch(/curl: \(\d+\)/);
    expect(bash.code).toBe(0);
    const lines = bash.stdout.split("\n");
    const events = lines.filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    for (const e of events) expect(e.event).toBe(e.type);
    expect(events.at(-1)?.type).toBe("completed");
    const at = (type: string) => events.filter((e) => e.type === type).map((e) => e.entity_index).sort();
    expect(at("entity_started")).toEqual([0, 1]);
    expect(at("entity_completed")).toEqual([0, 1]);
    expect(at("fusion_completed")).toEqual([0, 1]);
    const jobId = events[0]?.job_id;
    const listed = JSON.parse(lines.slice(lines.findIndex((l) => l.startsWith("["))).join("\n"));
    const batch = listed.filter((r: { job_id: string }) => r.job_id === jobId);
    expect(batch).toHaveLength(4);
    expect(new Set(batch.map((r: { model: string }) => r.model))).toEqual(new Set(["anthropic::claude-sonnet-4-5-20250929", "openai::gpt-4o"]));
    for (const r of batch) expect(r).toMatchObject({ type: "enrichment", success: true, structured_output: { legalName: "Moderna, Inc." } });
  });
});
