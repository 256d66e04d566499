import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unstable_getVarsForDev } from "wrangler";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedWranglerConfig } from "../../scripts/lib/isolated-wrangler-config.ts";
import { tempCheckout } from "../../scripts/lib/temp-checkout.ts";

const root = resolve(import.meta.dirname, "../..");
/** Values that would break every request (an invalid setting fails the Worker's start-up) or change results. */
const BAD_DEV_VARS = "ADMIN_TOKEN=short\nCHARGE_CACHE_HITS=maybe\nRATE_LIMIT_PER_MINUTE=1\nALLOW_LOOPBACK_FETCH=false\n";

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "dossier-dev-vars-"));
  cleanup.push(dir);
  return dir;
}

describe("a developer's .dev.vars never reaches the tests", () => {
  it("wrangler reads .dev.vars beside the config it is given, and the copy the tests use has none beside it", () => {
    const developer = tempDir();
    const config = isolatedWranglerConfig(root, developer);
    writeFileSync(join(developer, ".dev.vars"), BAD_DEV_VARS);
    const devVars = (configPath: string) => unstable_getVarsForDev(configPath, undefined, {}, undefined, true) as Record<string, { value: unknown }>;
    // The control: a config with a .dev.vars beside it gets the file's values, as the tests did before.
    expect(devVars(config).CHARGE_CACHE_HITS?.value).toBe("maybe");
    // What vitest.config.ts does: a copy made from that folder, living in another, reads nothing of it.
    expect(devVars(isolatedWranglerConfig(developer, tempDir()))).toEqual({});
  });

  it("a checkout whose .dev.vars would fail every request still passes a workers test file, and wrangler says nothing of the file", () => {
    const { dir, parent } = tempCheckout(root, "dossier-dev-vars-run-");
    cleanup.push(parent);
    writeFileSync(join(dir, ".dev.vars"), BAD_DEV_VARS);
    const run = spawnSync(join(dir, "node_modules", ".bin", "vitest"), ["run", "--project", "workers", "test/platform/health.test.ts"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      timeout: 180_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output.slice(-3000)).toBe(0);
    expect(output).toMatch(/1 passed/);
    expect(output).not.toContain(".dev.vars");
  }, 200_000);
});
