import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createFakeProvider, fateOf, sampleLatency, unitHash } from "../fake-provider.mjs";

describe("fate bands", () => {
  const route = { errorRate: 0.2, hangRate: 0.05, rate429: 0.05, noDataRate: 0 };
  test("bands follow the configured rates in order", () => {
    assert.equal(fateOf(route, 0.1), "error");
    assert.equal(fateOf(route, 0.22), "hang");
    assert.equal(fateOf(route, 0.27), "rate_limited");
    assert.equal(fateOf(route, 0.31), "ok");
  });
  test("hashed fates approach the rates over many lookups", () => {
    const counts = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const fate = fateOf(route, unitHash(`1|http_lookup|p${i}|x|1|fate`));
      counts[fate] = (counts[fate] ?? 0) + 1;
    }
    assert.ok(Math.abs(counts.error / n - 0.2) < 0.015, `errors ${counts.error}`);
    assert.ok(Math.abs(counts.hang / n - 0.05) < 0.01, `hangs ${counts.hang}`);
    assert.ok(Math.abs(counts.rate_limited / n - 0.05) < 0.01, `429s ${counts.rate_limited}`);
  });
});

describe("latency distributions", () => {
  test("fixed, uniform and normal (clamped at zero)", () => {
    assert.equal(sampleLatency({ dist: "fixed", ms: 100 }, 0.3, 0.7), 100);
    assert.equal(sampleLatency({ dist: "uniform", min: 50, max: 150 }, 0.5, 0), 100);
    assert.equal(sampleLatency({ dist: "normal", mean: 10, sd: 1000 }, 1e-9, 0.5) >= 0, true);
    assert.throws(() => sampleLatency({ dist: "zipf" }, 0.1, 0.1));
  });
});

describe("the fake server", () => {
  const fake = createFakeProvider({ seed: 7 });
  before(() => fake.listen());
  after(() => fake.close());

  const lookup = (name, integration = "http_lookup") =>
    fetch(`${fake.url}lookup?integration=${integration}&name=${encodeURIComponent(name)}&scenario=t`);

  test("answers with fields, confidence and a request id it records, and counts every call", async () => {
    fake.configure({ default: { latency: { dist: "fixed", ms: 5 } } });
    fake.reset();
    const res = await lookup("Ada");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(typeof body.confidence, "number");
    assert.ok(Object.keys(body.fields).length > 0);
    assert.match(body.requestId, /^fp-\d+$/);
    assert.equal(fake.answers().get(body.requestId)?.route, "http_lookup");
    await lookup("Ada");
    const stats = fake.stats();
    assert.equal(stats.calls, 2);
    assert.equal(stats.tasks, 1);
    assert.equal(stats.retries, 1);
  });

  test("tracks peak concurrency per route", async () => {
    fake.configure({ default: { latency: { dist: "fixed", ms: 150 } } });
    fake.reset();
    await Promise.all(Array.from({ length: 8 }, (_, i) => lookup(`p${i}`, i < 5 ? "a" : "b").then((r) => r.text())));
    const stats = fake.stats();
    assert.equal(stats.peakConcurrency, 8);
    assert.deepEqual(stats.peakByRoute, { a: 5, b: 3 });
    assert.equal(stats.inFlight, 0);
  });

  test("per-route 5xx, 429 with Retry-After and hangs", async () => {
    fake.configure({
      default: { latency: { dist: "fixed", ms: 1 } },
      routes: { broken: { errorRate: 1, errorStatus: 502 }, limited: { rate429: 1, retryAfterSeconds: 3 }, slow: { hangRate: 1, hangMs: 300 } },
    });
    const broken = await lookup("x", "broken");
    assert.equal(broken.status, 502);
    const limited = await lookup("x", "limited");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "3");
    const started = performance.now();
    await (await lookup("x", "slow")).text();
    assert.ok(performance.now() - started >= 280);
  });

  test("a client that gives up on a hang is counted as aborted, not in flight", async () => {
    fake.configure({ default: { hangRate: 1, hangMs: 5_000 } });
    fake.reset();
    await assert.rejects(fetch(`${fake.url}lookup?integration=x&name=y`, { signal: AbortSignal.timeout(100) }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fake.stats().aborted, 1);
    assert.equal(fake.stats().inFlight, 0);
  });

  test("control routes read stats and change the profile", async () => {
    const put = await fetch(`${fake.url}_bench/profile`, { method: "PUT", body: JSON.stringify({ default: { errorRate: 1 } }) });
    assert.equal(put.status, 200);
    assert.equal((await lookup("z")).status, 503);
    const stats = await (await fetch(`${fake.url}_bench/stats`)).json();
    assert.ok(stats.calls >= 1);
  });
});
