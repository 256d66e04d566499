import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";
import { Client } from "../e2e/client";

/** The project's one `wrangler dev` and fake providers (dev-server.setup.ts). */
export const docs = inject("compatDocs");
export const client = new Client(() => docs.url);

/** A new organization on the dev server, made with the operator's admin token: its id and an admin key. */
export async function docsOrg(name: string, opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number } = {}) {
  const created = await client.expect(201, "POST", "/v1/admin/organizations", {
    headers: { authorization: `Bearer ${docs.adminToken}` },
    body: { name, billingMode: "postpaid", ...opts },
  });
  return { orgId: created.organization?.id as string, key: created.apiKey.key as string };
}

/** Runs a program to its end with `input` on stdin; answers its exit code and output. */
export async function runProgram(command: string, args: string[], input: string, env: Record<string, string>) {
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

/**
 * Runs one shell command (a document's curl) in bash; answers the status curl reported and the body as JSON. The setup's
 * `.curlrc` (curl reads `$CURL_HOME/.curlrc` before its arguments) makes curl quiet and print the HTTP status on a last
 * line of its own, so the documented command runs exactly as written and the test still reads its status.
 */
export async function runCurl(command: string) {
  const result = await runProgram("bash", ["-euo", "pipefail"], `${command}\n`, { CURL_HOME: docs.curlHome });
  if (result.code !== 0 || result.stderr !== "") throw new Error(`${command}\nexited ${result.code}: ${result.stderr}`);
  const lines = result.stdout.trimEnd().split("\n");
  const status = Number(lines.pop());
  const text = lines.join("\n");
  return { status, text, json: text ? JSON.parse(text) : undefined };
}

/** Polls until `done` holds for the answer (queues and job objects work in the background). */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 800)}`);
    await sleep(100);
  }
}
