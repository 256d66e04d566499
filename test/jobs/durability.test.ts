import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/platform/db/client";
import type { EnrichmentJob } from "../../src/features/jobs/engine/enrichment-job";
import { recordTaskResults } from "../../src/features/jobs/integration-task/record-results";
import { lookupCalls, lookupOrg, scenario } from "../helpers/enrichment";
import { allResults, chargedCredits, deliverTasks as consume, getJob, orgCredits, people, restoreSender, slowOrg, slowScenario, slowStats, startCapturedJob, startJobWith, waitForJob } from "./helpers";


type TaskState = { id: string; status: string; dispatch: number };

async function tasksOf(stub: DurableObjectStub<EnrichmentJob>): Promise<TaskState[]> {
  return runInDurableObject(stub, (_instance: EnrichmentJob, state) =>
    state.storage.sql.exec<TaskState>("SELECT id, status, dispatch FROM tasks ORDER BY entity_idx, position").toArray(),
  );
}

/** Makes every dispatched or running task overdue, as if its message had been lost long ago. */
async function expireLeases(stub: DurableObjectStub<EnrichmentJob>) {
  await runInDurableObject(stub, (_instance: EnrichmentJob, state) => {
    state.storage.sql.exec("UPDATE tasks SET lease_until = 0 WHERE status IN ('dispatched', 'running')");
  });
}

describe("no lost work", () => {
  it("re-dispatches lost messages from the alarm; a second alarm changes nothing; stale copies never run", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const s = scenario();
    const { spec, stub, captured } = await startCapturedJob(org, { entities: people(["A", "B"]), integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(captured.map((m) => [m.taskId, m.dispatch])).toEqual([["0:http_lookup", 1], ["1:http_lookup", 1]]);
    expect((await tasksOf(stub)).map((t) => t.status)).toEqual(["dispatched", "dispatched"]);

    await restoreSender(stub);
    await expireLeases(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Fired again straight away (alarms can repeat): nothing is overdue, nothing is sent twice.
    await runDurableObjectAlarm(stub);
    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job.status).toBe("completed");
    expect((await tasksOf(stub)).map((t) => [t.status, t.dispatch])).toEqual([["done", 2], ["done", 2]]);
    expect(await lookupCalls(s)).toBe(2);

    // The lost first dispatch turns up after all: acknowledged without running or charging.
    const { result } = await consume(captured);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toHaveLength(0);
    expect(await lookupCalls(s)).toBe(2);
    expect(await chargedCredits(org.orgId, spec.jobId)).toBe(2);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 8, reserved: 0 });
  });

  it("gives a task up as ENRICHMENT_TIMEOUT after too many dispatches without a report", async () => {
    const org = await lookupOrg();
    const { spec, stub } = await startCapturedJob(org, { entities: people(["A", "B"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    for (let i = 0; i < 5; i++) {
      await expireLeases(stub);
      await runDurableObjectAlarm(stub);
    }
    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job).toMatchObject({ status: "failed", counts: { failed: 2 } });
    const [a] = await allResults(org.adminKey, spec.jobId);
    expect(a.error.code).toBe("ENRICHMENT_TIMEOUT");
    expect(a.results[0].error.message).toContain("5 dispatches");
    const records = await env.DB.prepare("SELECT count(*) AS n FROM enrichments WHERE job_id = ?").bind(spec.jobId).first<{ n: number }>();
    expect(records?.n).toBe(2);
  });

  it("takes a duplicate delivery and a duplicate report without changing or charging anything", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const s = scenario();
    const { spec, stub, captured } = await startCapturedJob(org, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: s } });
    const [message] = captured;
    if (!message) throw new Error("no task message");
    // The same message delivered twice in one batch: one claim wins, the other is acknowledged unrun.
    const { result } = await consume([message, message]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await lookupCalls(s)).toBe(1);
    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job.counts.succeeded).toBe(1);
    const [before] = await allResults(org.adminKey, spec.jobId);

    // A late report of a failure for the same task: refused, the job's answer stands.
    const late = { ...before.results[0], success: false, status: "failed", credits: 0, error: { code: "HTTP_500", message: "late", category: "provider_failure", retryable: true } };
    expect(await stub.report(message.taskId, [late])).toEqual({ accepted: false });
    expect((await allResults(org.adminKey, spec.jobId))[0]).toEqual(before);

    // A second run of the same task reaching D1 records nothing new and charges nothing; it reads the first run back.
    const again = await recordTaskResults(
      createDb(env.DB),
      { orgId: org.orgId, jobId: spec.jobId, entityId: message.entityId, entityIndex: 0, actorKeyId: null },
      {},
      [{ ...before.results[0], enrichmentId: crypto.randomUUID(), credits: 1, success: true, fields: { title: "other" } }],
    );
    expect(again[0]?.enrichmentId).toBe(before.results[0].enrichmentId);
    const records = await env.DB.prepare("SELECT count(*) AS n FROM enrichments WHERE job_id = ?").bind(spec.jobId).first<{ n: number }>();
    expect(records?.n).toBe(1);
    expect(await chargedCredits(org.orgId, spec.jobId)).toBe(1);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 9, reserved: 0 });
  });

  it("lets a task's own message back in after its consumer failed, but not a plain duplicate", async () => {
    const org = await lookupOrg();
    const { stub, captured } = await startCapturedJob(org, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    const [message] = captured;
    if (!message) throw new Error("no task message");
    const claim = (redelivery: boolean) => stub.claim([{ taskId: message.taskId, dispatch: message.dispatch, redelivery }]);
    expect((await claim(false))[0]).toMatchObject({ run: true });
    expect((await claim(false))[0]).toMatchObject({ run: false, reason: "task is running" });
    expect((await claim(true))[0]).toMatchObject({ run: true });
    expect((await stub.claim([{ taskId: message.taskId, dispatch: message.dispatch + 1, redelivery: true }]))[0]).toMatchObject({ run: false });
    await stub.cancel(null);
  });

  it("releases a finished job's reservation once, however often its settlement runs", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 20 });
    // A second job keeps part of the balance reserved, so an extra release would show.
    const holder = await startCapturedJob(org, { entities: people(["H1", "H2", "H3"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    const { spec, stub } = await startJobWith(org, { entities: people(["A", "B"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } }, (sp) => sp);
    await waitForJob(org.adminKey, spec.jobId);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 18, reserved: 3 });
    await runInDurableObject(stub, async (_instance: EnrichmentJob, state) => {
      state.storage.sql.exec("UPDATE job SET finalized = 0, synced_version = 0");
      await state.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(stub);
    await runInDurableObject(stub, (_instance: EnrichmentJob, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(stub);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 18, reserved: 3 });
    const completedEvents = await runInDurableObject(stub, (_instance: EnrichmentJob, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE type = 'completed'").one().n,
    );
    expect(completedEvents).toBe(1);
    await holder.stub.cancel(null);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 18, reserved: 0 });
  });

  it("re-arms a missing alarm whenever the job is visited", async () => {
    const org = await lookupOrg();
    const { spec, stub } = await startCapturedJob(org, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    await runInDurableObject(stub, (_instance: EnrichmentJob, state) => state.storage.deleteAlarm());
    await getJob(org.adminKey, spec.jobId);
    const alarm = await runInDurableObject(stub, (_instance: EnrichmentJob, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    await stub.cancel(null);
  });
});

describe("concurrency", () => {
  it("shares MAX_CONNECTIONS_PER_INVOCATION across every message of one consumer invocation", async () => {
    const org = await slowOrg();
    const s = slowScenario(300);
    const { spec, captured } = await startCapturedJob(org, {
      entities: people(Array.from({ length: 10 }, (_, i) => `p${i}`)),
      integrationCodes: ["http_lookup"],
      params: { scenario: s },
    });
    expect(captured).toHaveLength(10);
    const { result } = await consume(captured);
    expect(result.explicitAcks).toHaveLength(10);
    const stats = await slowStats(s);
    expect(stats.calls).toBe(10);
    expect(stats.peak).toBeLessThanOrEqual(6);
    expect(stats.peak).toBeGreaterThan(1);
    expect((await waitForJob(org.adminKey, spec.jobId)).counts.succeeded).toBe(10);
  });

  it("keeps no more of an integration's tasks in flight than its concurrency limit, across the whole job", async () => {
    const org = await slowOrg();
    const s = slowScenario(200);
    const { spec, stub } = await startJobWith(
      org,
      { entities: people(Array.from({ length: 8 }, (_, i) => `p${i}`)), integrationCodes: ["http_lookup"], params: { scenario: s } },
      (sp) => ({ ...sp, laneCaps: { http_lookup: 2 } }),
    );
    const inFlight = (await tasksOf(stub)).filter((t) => t.status === "dispatched" || t.status === "running");
    expect(inFlight).toHaveLength(2);
    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job.counts.succeeded).toBe(8);
    const stats = await slowStats(s);
    expect(stats.calls).toBe(8);
    expect(stats.peak).toBeLessThanOrEqual(2);
  });
});
