import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { DevServer, freePort, run } from "../e2e/dev-server";
import { startFakeProvider } from "../fake-provider/server";

/**
 * One `wrangler dev` for every file of the project (the five products' documented examples), with the fake providers
 * on 127.0.0.1: the LLM clients' base URLs point at the fake models under one scenario, and every other outbound
 * call a test makes is to an integration it points at the fake itself (DoH included), so nothing leaves the machine.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "dossier-compat-docs-"));
  const provider = await startFakeProvider();
  const fakeUrl = `http://127.0.0.1:${provider.port}`;
  const llmScenario = randomUUID();
  const spec = `~id=${llmScenario};wrong=0`;
  const adminToken = `docs-admin-${randomBytes(16).toString("hex")}`;
  const persistTo = join(dir, "state");
  const envFile = join(dir, "docs.env");
  const secrets = [`ADMIN_TOKEN=${adminToken}`, `ENCRYPTION_KEY=${randomBytes(32).toString("hex")}`, "ANTHROPIC_API_KEY=sk-ant-docs-test", "OPENAI_API_KEY=sk-docs-test"];
  writeFileSync(envFile, `${secrets.join("\n")}\n`, { mode: 0o600 });
  // Every curl the tests run reads this: quiet, and the HTTP status on a last line of its own (docs-harness.ts runCurl).
  writeFileSync(join(dir, ".curlrc"), 'silent\nshow-error\nwrite-out = "\\n%{http_code}\\n"\n');
  const server = new DevServer({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo,
    envFile,
    vars: {
      ALLOW_LOOPBACK_FETCH: "true",
      DOH_URL: `${fakeUrl}/doh`,
      ANTHROPIC_BASE_URL: `${fakeUrl}/anthropic/${spec}`,
      OPENAI_BASE_URL: `${fakeUrl}/openai/${spec}/v1`,
    },
  });
  const teardown = async () => {
    await server.stop();
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], 90_000);
    await server.start();
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide("compatDocs", { url: server.url, adminToken, fakeUrl, llmScenario, curlHome: dir });
  return teardown;
}
