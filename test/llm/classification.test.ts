import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EnrichmentJob } from "../../src/features/jobs/engine/enrichment-job";
import { getJobStub } from "../../src/features/jobs/engine/stub";
import type { JobCounts } from "../../src/features/jobs/engine/types";
import { call } from "../helpers/api";
import { waitForJob, waitUntil } from "../jobs/helpers";
import { COMPANY_SCHEMA, fakeStats, jobEvents, llmOrg, records, scriptAnswers, startRun } from "./run-helpers";

const mismatch = { status: "mismatch", confidence: 0.9, entityDescription: "A river in Egypt", reasoning: "Not a company", alternativeInterpretations: [] };

async function pausedRun(body: Record<string, unknown> = {}) {
  const org = await llmOrg();
  await scriptAnswers(org.fakeId, { judge: mismatch });
  const res = await startRun(org.adminKey, { entities: [{ name: "The Nile" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"], classificationModel: "fake::judge", ...body });
  expect(res.status).toBe(202);
  const job = await waitForJob(org.adminKey, res.json.jobId, ["paused", "completed", "failed"]);
  return { org, jobId: res.json.jobId as string, job };
}

describe("classification before research", () => {
  it("pauses the job on a mismatch, then goes on when told to proceed", async () => {
    const { org, jobId, job } = await pausedRun();
    expect(job).toMatchObject({ status: "paused", pausedReason: "classification_mismatch" });
    expect((await fakeStats(org.fakeId)).byModel).toEqual({ "openai_compatible::judge": 1 });
    const continued = await call("POST", `/v1/jobs/${jobId}/continue`, { key: org.adminKey, body: { decision: "proceed" } });
    expect(continued.status).toBe(200);
    expect(continued.json.status).toBe("processing");
    expect((await waitForJob(org.adminKey, jobId)).status).toBe("completed");
    const stream = await jobEvents(org.adminKey, jobId);
    const names = stream.map((e) => e.event);
    expect(names.slice(0, 8)).toEqual([
      "job_started",
      "strategy_selected",
      "entity_started",
      "classification_started",
      "classification_completed",
      "classification_mismatch_pause",
      "job_paused",
      "job_resumed",
    ]);
    expect(stream.find((e) => e.event === "classification_mismatch_pause")?.data).toMatchObject({ classification: { status: "mismatch", expectedType: "company" }, timeoutSeconds: 300 });
    expect(stream.find((e) => e.event === "job_resumed")?.data).toMatchObject({ decision: "proceed", entity_indexes: [0] });
    const recs = await records(org.adminKey, `jobId=${jobId}`);
    expect(recs.map((r) => r.type).sort()).toEqual(["classification", "enrichment"]);
  });

  it("skips the entity when told to skip, with no research call", async () => {
    const { org, jobId } = await pausedRun();
    expect((await call("POST", `/v1/jobs/${jobId}/continue`, { key: org.adminKey, body: { decision: "skip" } })).status).toBe(200);
    const job = await waitForJob(org.adminKey, jobId);
    expect(job).toMatchObject({ status: "completed", counts: { cancelled: 1, succeeded: 0 } });
    const stream = await jobEvents(org.adminKey, jobId);
    expect(stream.find((e) => e.event === "entity_skipped")?.data).toMatchObject({ entity_index: 0, code: "classification_mismatch" });
    expect((await fakeStats(org.fakeId)).byModel).toEqual({ "openai_compatible::judge": 1 });
    const [result] = (await call("GET", `/v1/jobs/${jobId}/results`, { key: org.adminKey })).json.data;
    expect(result).toMatchObject({ status: "cancelled", skipped: { code: "classification_mismatch" }, classification: { status: "mismatch" } });
    // The classification call was made and is charged; nothing else is.
    expect(job.credits).toBe(1);
    // results.csv of an LLM job: the columns every kind has, the skip's code included.
    const csv = await call("GET", `/v1/jobs/${jobId}/results.csv`, { key: org.adminKey });
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split("\r\n")).toEqual(["entityId,externalId,status,errorCode,skipped,credits", ",,cancelled,,classification_mismatch,1"]);
  });

  it("skips an entity whose decision does not come in time", async () => {
    const { org, jobId } = await pausedRun({ classificationTimeoutSeconds: 60 });
    const stub = getJobStub(env, jobId);
    await runInDurableObject(stub, (_instance: EnrichmentJob, state) => {
      state.storage.sql.exec("UPDATE entities SET hold_until = ? WHERE hold_until IS NOT NULL", Date.now() - 1);
    });
    await runDurableObjectAlarm(stub);
    const job = await waitForJob(org.adminKey, jobId);
    expect(job.status).toBe("completed");
    const stream = await jobEvents(org.adminKey, jobId);
    expect(stream.find((e) => e.event === "entity_skipped")?.data).toMatchObject({ code: "classification_timeout" });
  });

  it("cancels a paused job", async () => {
    const { org, jobId } = await pausedRun();
    expect((await call("POST", `/v1/jobs/${jobId}/cancel`, { key: org.adminKey })).json.status).toBe("cancelled");
    expect((await fakeStats(org.fakeId)).total).toBe(1);
  });

  it("skips or proceeds without pausing when the run says so; a match never pauses", async () => {
    const org = await llmOrg();
    await scriptAnswers(org.fakeId, { judge: mismatch, gamma: { ...mismatch, status: "match" } });
    const run = (extra: Record<string, unknown>) =>
      startRun(org.adminKey, { entities: [{ name: "Somewhere" }, { name: "Else" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"], classificationModel: "fake::judge", ...extra });
    const skip = await run({ onClassificationMismatch: "skip" });
    const proceed = await run({ onClassificationMismatch: "proceed" });
    const match = await run({ classificationModel: "fake::gamma" });
    const [skipped, proceeded, matched] = await Promise.all([skip, proceed, match].map((r) => waitForJob(org.adminKey, r.json.jobId)));
    expect(skipped.counts).toMatchObject({ cancelled: 2, succeeded: 0 });
    expect(proceeded.counts).toMatchObject({ succeeded: 2 });
    expect(matched.counts).toMatchObject({ succeeded: 2 });
    expect((await waitUntil(() => call("GET", `/v1/jobs/${skip.json.jobId}/results`, { key: org.adminKey }), (r) => r.status === 200)).json.data[0].skipped.code).toBe("classification_mismatch");
  });

  it("counts a held entity as running and a skipped one as cancelled: the counts add up to total throughout", async () => {
    const sum = (c: JobCounts) => c.queued + c.running + c.succeeded + c.failed + c.cancelled;
    const { org, jobId, job } = await pausedRun({ entities: [{ name: "The Nile" }, { name: "The Amazon" }, { name: "The Danube" }] });
    expect(job.status).toBe("paused");
    // Held: started (its classification ran), not settled.
    expect(job.counts.running).toBeGreaterThanOrEqual(1);
    expect(sum(job.counts)).toBe(3);
    const seen: JobCounts[] = [job.counts];
    let decision: "proceed" | "skip" = "proceed";
    for (let latest = job; latest.status === "paused"; ) {
      expect((await call("POST", `/v1/jobs/${jobId}/continue`, { key: org.adminKey, body: { decision } })).status).toBe(200);
      decision = "skip";
      latest = await waitForJob(org.adminKey, jobId, ["paused", "completed", "failed"]);
      seen.push(latest.counts);
    }
    for (const c of seen) expect({ ...c, sum: sum(c) }).toMatchObject({ total: 3, sum: 3 });
    const final = seen.at(-1) as JobCounts;
    expect(final).toMatchObject({ total: 3, queued: 0, running: 0, failed: 0 });
    // The first decision ran the held entities; every later one skipped its own, which then count as cancelled.
    expect(final.succeeded).toBeGreaterThanOrEqual(1);
    expect(final.succeeded + final.cancelled).toBe(3);
    const results = (await call("GET", `/v1/jobs/${jobId}/results`, { key: org.adminKey })).json.data as { status: string; skipped?: { code: string } }[];
    expect(results.filter((r) => r.skipped).every((r) => r.status === "cancelled" && r.skipped?.code === "classification_mismatch")).toBe(true);
    expect(results.filter((r) => r.status === "cancelled")).toHaveLength(final.cancelled);
    // The stream's counts (entity_started, entity_completed, job_paused, job_completed…) add up the same way.
    const streamed = (await jobEvents(org.adminKey, jobId)).filter((e) => e.data?.counts);
    expect(streamed.map((e) => e.event)).toEqual(expect.arrayContaining(["entity_started", "entity_completed", "job_paused"]));
    for (const e of streamed) expect(sum(e.data.counts), e.event).toBe(3);
  });

  it("answers 409 to continue on a job that is not paused", async () => {
    const org = await llmOrg();
    const res = await startRun(org.adminKey, { entities: [{ name: "Acme" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"] });
    await waitForJob(org.adminKey, res.json.jobId);
    expect((await call("POST", `/v1/jobs/${res.json.jobId}/continue`, { key: org.adminKey })).status).toBe(409);
  });
});
