import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mismatch, parsePattern } from "../../scripts/readme-check/pattern.ts";

const root = resolve(import.meta.dirname, "../..");
const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

const FENCE = "```";
const sh = (code: string, marker = "") => `${marker ? `${marker}\n` : ""}${FENCE}sh\n${code.trim()}\n${FENCE}\n`;
const SERVER = sh("node fixture-server.mjs", "<!-- readme-check: server -->");
const WALK = `BASE=http://localhost:8787
curl -s -X POST $BASE/things -H 'content-type: application/json' -d '{"name":"Ada"}'
# 201 {"id":"…","name":"Ada",
#      "tags":["a",…],…}
THING=$(curl -s -X POST $BASE/things -d '{"name":"Bob"}' | jq -r .id)
# 201 {"id":"…"}
curl -s "$BASE/things/$THING"
# 200 {"id":"…","name":"Bob","tags":["a","b","c"],"createdAt":"…Z"}`;

/** Runs the checker on a synthetic README (with the fixture server beside it); answers its exit code and output. */
function check(markdown: string) {
  const dir = mkdtempSync(join(tmpdir(), "dossier-readme-fixture-"));
  cleanup.push(dir);
  copyFileSync(join(import.meta.dirname, "readme-check", "fixture-server.mjs"), join(dir, "fixture-server.mjs"));
  writeFileSync(join(dir, "README.md"), markdown);
  const run = spawnSync(process.execPath, [join(root, "scripts", "readme-check.ts"), "--readme", join(dir, "README.md")], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe("the README checker", () => {
  it("passes a README whose examples answer what it shows, and skips only what a marker says", () => {
    const { code, output } = check(`# T\n\n${SERVER}\n${sh(WALK)}\n<!-- readme-check: skip (needs a Cloudflare account) -->\n${sh("false")}`);
    expect(code, output).toBe(0);
    expect(output).toContain("3 shown answers matched");
    expect(output).toContain("3 passed, 0 failed");
    expect(output).toMatch(/skipped the block at .*README\.md:\d+ \(needs a Cloudflare account\)/);
  });

  it("fails on a wrong status, naming the README line", () => {
    const { code, output } = check(`${SERVER}\n${sh(WALK.replace("# 201 {\"id\":\"…\"}", "# 200 {\"id\":\"…\"}"))}`);
    expect(code).toBe(1);
    expect(output).toMatch(/README\.md:\d+: expected status 200, got 201/);
  });

  it("fails on a shown field with another value, and on a missing one", () => {
    const other = check(`${SERVER}\n${sh(WALK.replace('"name":"Bob","tags"', '"name":"Eve","tags"'))}`);
    expect(other.code).toBe(1);
    expect(other.output).toContain('$.name: expected "Eve", got "Bob"');
    const missing = check(`${SERVER}\n${sh(WALK.replace('"name":"Ada",', '"name":"Ada","nickname":"…",'))}`);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain("$.nickname: missing");
  });

  it("fails on an unset variable, pointing at its README line", () => {
    const { code, output } = check(`${SERVER}\n${sh(`${WALK}\ncurl -s "$BASE/things/$NOT_SET_ANYWHERE"`)}`);
    expect(code).toBe(1);
    expect(output).toMatch(/README\.md:1\d: NOT_SET_ANYWHERE: unbound variable/);
  });

  it("fails on a failing command, and on an error answer the README does not show", () => {
    const failing = check(`${SERVER}\n${sh(`${WALK}\ncat examples/not-there.csv`)}`);
    expect(failing.code).toBe(1);
    expect(failing.output).toContain("examples/not-there.csv: No such file or directory");
    const unshown = check(`${SERVER}\n${sh(`${WALK}\ncurl -s "$BASE/things/nope"\necho done`)}`);
    expect(unshown.code).toBe(1);
    expect(unshown.output).toContain("answered 404 and the README shows no answer for it");
  });

  it("refuses a skip marker without a reason, and a shown answer that is not JSON", () => {
    expect(check(`${SERVER}\n<!-- readme-check: skip -->\n${sh("false")}`).output).toContain('unknown marker "skip"');
    expect(check(`${SERVER}\n${sh("curl -s localhost:8787/healthz\n# 200 {ok: true}")}`).output).toContain("not JSON");
  });
});

describe("shown answers", () => {
  it('"…" is any value, a bare … is "and more", and arrays are exact without it', () => {
    const shown = parsePattern('{"id":"…","key":"dsr_live_…","tags":["a",…],"n":1,…}');
    expect(mismatch(shown, { id: 7, key: "dsr_live_x1", tags: ["a", "b"], n: 1, extra: true })).toBeNull();
    expect(mismatch(shown, { id: 7, key: "other", tags: ["a"], n: 1 })).toContain("$.key");
    expect(mismatch(shown, { key: "dsr_live_", tags: ["a"], n: 1 })).toContain("$.id: missing");
    expect(mismatch(parsePattern('["a","b"]'), ["a", "b", "c"])).toContain("expected 2 elements");
    expect(mismatch(parsePattern('[…,{"status":"failed"},…]'), [{ status: "ok" }, { status: "failed" }])).toBeNull();
    expect(mismatch(parsePattern('{"data":[]}'), { data: [1] })).toContain("expected 0 elements");
  });
});
