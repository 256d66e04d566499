import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { EnrichmentJob } from "../../src/features/jobs/engine/enrichment-job";
import { getJobStub } from "../../src/features/jobs/engine/stub";
import type { LlmTaskMessage } from "../../src/features/llm/runs/run-spec";
import { call } from "../helpers/api";
import { orgCredits, restoreSender, waitForJob } from "../jobs/helpers";
import { COMPANY_SCHEMA, fakeStats, jobCharges, llmOrg, records, scriptAnswers, startRun } from "./run-helpers";

/** Runs the Worker's real queue handler on hand-made provider-calls messages. */
async function consume(messages: LlmTaskMessage[], attempts = 1) {
  const batch = createMessageBatch(
    "provider-calls",
    messages.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/**
 * A run paused by its classification (a mismatch), whose object then keeps its task messages instead of queueing
 * them: deciding `proceed` makes it dispatch the model tasks into `captured`.
 */
async function capturedRun(prepaid = false) {
  const org = await llmOrg(prepaid ? { billingMode: "prepaid", initialCredits: 500 } : {});
  await scriptAnswers(org.fakeId, { judge: { status: "mismatch", confidence: 1, entityDescription: "?", reasoning: "?", alternativeInterpretations: [] } });
  const res = await startRun(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"], classificationModel: "fake::judge" });
  const jobId: string = res.json.jobId;
  await waitForJob(org.adminKey, jobId, ["paused"]);
  const stub = getJobStub(env, jobId);
  const captured: LlmTaskMessage[] = [];
  await runInDurableObject(stub, (instance: EnrichmentJob) => {
    instance.sendTasks = async (messages) => {
      captured.push(...(messages as unknown as LlmTaskMessage[]));
    };
  });
  await call("POST", `/v1/jobs/${jobId}/continue`, { key: org.adminKey, body: { decision: "proceed" } });
  expect(captured.map((m) => [m.taskId, m.role, m.dispatch])).toEqual([["0:model:0", "model", 1]]);
  return { org, jobId, stub, captured };
}

async function expireLeases(stub: DurableObjectStub<EnrichmentJob>) {
  await runInDurableObject(stub, (_instance: EnrichmentJob, state) => {
    state.storage.sql.exec("UPDATE tasks SET lease_until = 0 WHERE status IN ('dispatched', 'running')");
  });
}

describe("exactly-once records and charges", () => {
  it("two deliveries of one task running at once make one record and one charge", async () => {
    const { org, jobId, captured } = await capturedRun(true);
    const [message] = captured;
    if (!message) throw new Error("no message");
    // Redeliveries (attempts > 1) are let in while the task runs: both run, call the model, and write.
    const result = await consume([message, message], 2);
    expect(result.explicitAcks).toHaveLength(2);
    expect((await fakeStats(org.fakeId)).byModel["openai_compatible::alpha"]).toBe(2);
    const job = await waitForJob(org.adminKey, jobId);
    expect(job.status).toBe("completed");
    const recs = await records(org.adminKey, `jobId=${jobId}&type=enrichment`);
    expect(recs).toHaveLength(1);
    const charges = await jobCharges(org.orgId, jobId);
    expect(charges.filter((c) => c.code === "llm:fake::alpha").map((c) => [c.source, c.credits])).toEqual([[recs[0].id, recs[0].credits]]);
    const all = await records(org.adminKey, `jobId=${jobId}`);
    const total = all.reduce((s, r) => s + r.credits, 0);
    expect(job.credits).toBe(total);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 500 - total, reserved: 0 });
    // A later copy of the finished task is acknowledged without running.
    await consume([message], 3);
    expect((await fakeStats(org.fakeId)).byModel["openai_compatible::alpha"]).toBe(2);
  });

  it("re-dispatches a lost message from the alarm; the stale copy never runs", async () => {
    const { org, jobId, stub, captured } = await capturedRun();
    await restoreSender(stub as unknown as DurableObjectStub<EnrichmentJob>);
    await expireLeases(stub as unknown as DurableObjectStub<EnrichmentJob>);
    await runDurableObjectAlarm(stub);
    expect((await waitForJob(org.adminKey, jobId)).status).toBe("completed");
    await consume(captured);
    expect((await fakeStats(org.fakeId)).byModel["openai_compatible::alpha"]).toBe(1);
    expect(await records(org.adminKey, `jobId=${jobId}&type=enrichment`)).toHaveLength(1);
  });

  it("gives a task up after 5 dispatches without a report, recorded as ENRICHMENT_TIMEOUT and free", async () => {
    const { org, jobId, stub } = await capturedRun();
    for (let i = 0; i < 5; i++) {
      await expireLeases(stub as unknown as DurableObjectStub<EnrichmentJob>);
      await runDurableObjectAlarm(stub);
    }
    const job = await waitForJob(org.adminKey, jobId);
    expect(job).toMatchObject({ status: "failed", counts: { failed: 1 } });
    const [rec] = await records(org.adminKey, `jobId=${jobId}&type=enrichment`);
    expect(rec).toMatchObject({ success: false, credits: 0, model: "fake::alpha", error: { code: "ENRICHMENT_TIMEOUT" } });
    expect((await fakeStats(org.fakeId)).byModel["openai_compatible::alpha"]).toBeUndefined();
  });
});
