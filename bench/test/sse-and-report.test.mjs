import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requestIdsIn } from "../lib/jobs.mjs";
import { evaluate, gateFailures, renderTable } from "../lib/report.mjs";
import { createSseParser } from "../lib/sse.mjs";
import { percentile } from "../lib/stats.mjs";
import { sseDelays } from "../scenarios/sse.mjs";

describe("SSE parser", () => {
  test("splits events across chunks, joins data lines, skips heartbeats", () => {
    const events = [];
    let comments = 0;
    const feed = createSseParser((e) => events.push(e), () => comments++);
    feed("retry: 2000\n\nid: 1\nevent: job_started\ndata: {\"a\"");
    feed(":1}\n\n: ping\n\nid: 2\r\nevent: completed\r\ndata: x\r\ndata: y\r\n\r\n");
    assert.deepEqual(events, [
      { id: "1", event: "job_started", data: '{"a":1}' },
      { id: "2", event: "completed", data: "x\ny" },
    ]);
    assert.equal(comments, 1);
  });
});

describe("SSE delay correlation", () => {
  test("matches enrichment_completed events to the provider answer they carry", () => {
    const answers = new Map([
      ["fp-1", { answeredAt: 100 }],
      ["fp-2", { answeredAt: 200 }],
    ]);
    const events = [
      { type: "enrichment_completed", receivedAt: 110, data: { result: { result: { enrichmentData: { requestId: "fp-1" } } } } },
      { type: "enrichment_completed", receivedAt: 230, data: { result: { result: { enrichmentData: { requestId: "fp-2" } } } } },
      { type: "enrichment_completed", receivedAt: 240, data: { result: { error: { code: "HTTP_503" } } } },
      { type: "entity_completed", receivedAt: 250, data: { requestId: "fp-1" } },
    ];
    const { delays, summary } = sseDelays(events, answers);
    assert.deepEqual(delays, [10, 30]);
    assert.equal(summary.unmatched, 1);
    assert.equal(summary.events, 3);
  });
  test("request ids are found however deep the answer sits", () => {
    assert.deepEqual(requestIdsIn({ a: [{ b: { requestId: "fp-9" } }], requestId: "other" }), ["fp-9"]);
  });
});

describe("percentile", () => {
  test("nearest rank", () => {
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
    assert.equal(percentile([], 50), null);
  });
});

describe("targets and the CI gate", () => {
  const clean = {
    fanout: { ratio: 3, providerTasks: 300, expectedCalls: 300 },
    cache: { providerCalls: 0 },
    overhead: { ratio: 0.2 },
    faults: { stuck: 0, creditMismatch: 0, duplicateRecords: 0, missingRecords: 0, http500: 0, webhooksLost: 0 },
    scaling: [],
    llm: { ratio: 14, stuck: 0, duplicateRecords: 0, missingRecords: 0, creditMismatch: 0 },
  };
  test("timing misses never fail the gate", () => {
    assert.deepEqual(gateFailures(clean), []);
    const verdicts = new Map(evaluate(clean).map((t) => [t.path, t.met]));
    assert.equal(verdicts.get("fanout.ratio"), false);
    assert.equal(verdicts.get("cache.providerCalls"), true);
  });
  test("a missed or unmeasured fault target fails it", () => {
    assert.equal(gateFailures({ ...clean, faults: { ...clean.faults, stuck: 2 } }).length, 1);
    assert.equal(gateFailures({ ...clean, faults: { ...clean.faults, webhooksLost: null } }).length, 1);
    assert.equal(gateFailures({ ...clean, faults: undefined }).length, 6);
    const ranLlm = { scenarios: ["llm"] };
    assert.equal(gateFailures({ ...clean, meta: ranLlm, llm: { ...clean.llm, duplicateRecords: 1 } }).length, 1);
    assert.equal(gateFailures({ ...clean, meta: ranLlm, llm: undefined }).length, 4);
    // Its targets fail the run only when it ran.
    assert.equal(gateFailures({ ...clean, llm: undefined }).length, 0);
  });
  test("compat: a 5xx fails the run when it ran; its ratios are reported only", () => {
    const pair = (ratio) => ({ nativeRps: 100, compatRps: 100 * ratio, ratio, rpsText: `100 / ${100 * ratio}`, nativeLatency: "10 / 20", compatLatency: "11 / 22" });
    const compat = { gu1: pair(0.5), lance: pair(0.9), entityEnricher: pair(1), http5xx: 0 };
    const ran = { scenarios: ["compat"] };
    assert.deepEqual(gateFailures({ ...clean, meta: ran, compat }), []);
    assert.equal(new Map(evaluate({ ...clean, compat }).map((t) => [t.path, t.met])).get("compat.gu1.ratio"), false);
    assert.equal(gateFailures({ ...clean, meta: ran, compat: { ...compat, http5xx: 2 } }).length, 1);
    assert.equal(gateFailures({ ...clean, meta: ran, compat: undefined }).length, 1);
    assert.equal(gateFailures({ ...clean, compat: undefined }).length, 0);
    const text = renderTable({ ...clean, meta: ran, compat });
    assert.match(text, /10 compat\s+gu1 enrich by externalId \(cached\): compat \/ native\s+0\.50\s+>= 0\.8 \(reported\)\s+miss/);
    assert.match(text, /10 compat\s+HTTP 5xx seen by clients\s+0\s+0\s+ok/);
  });
  test("the table renders with an error row", () => {
    const text = renderTable({ ...clean, errors: { faults: "Error: boom\n at x" } });
    assert.match(text, /faults\s+error\s+Error: boom\s+FAIL/);
  });
});
