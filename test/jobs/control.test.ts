import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { lookupOrg, scenario } from "../helpers/enrichment";
import { allResults, chargedCredits, getJob, openEvents, orgCredits, people, postJob, slowOrg, slowScenario, slowStats, startJobWith, waitForJob, waitUntil } from "./helpers";

/** One task in flight at a time, so what pause and cancel catch mid-run is known. */
const oneAtATime = <T extends { laneCaps: Record<string, number> }>(spec: T): T => ({ ...spec, laneCaps: { http_lookup: 1 } });

describe("pause, resume, cancel", () => {
  it("pauses dispatching (running calls finish), then resumes to completion", async () => {
    const org = await slowOrg();
    const s = slowScenario(300);
    const { spec } = await startJobWith(org, { entities: people(["a", "b", "c", "d", "e"]), integrationCodes: ["http_lookup"], params: { scenario: s } }, oneAtATime);
    const paused = await call("POST", `/v1/jobs/${spec.jobId}/pause`, { key: org.adminKey });
    expect(paused.status).toBe(200);
    expect(paused.json.status).toBe("paused");
    // At most the one running call completes while paused.
    const settled = await waitUntil(() => getJob(org.adminKey, spec.jobId), (j) => j.counts.running === 0);
    expect(settled.status).toBe("paused");
    expect(settled.counts.succeeded).toBeLessThanOrEqual(1);
    expect(settled.counts.queued).toBeGreaterThanOrEqual(4);
    expect((await call("POST", `/v1/jobs/${spec.jobId}/pause`, { key: org.adminKey })).status).toBe(409);
    expect((await call("GET", "/v1/jobs?status=paused", { key: org.adminKey })).json.data.map((j: { id: string }) => j.id)).toEqual([spec.jobId]);

    const resumed = await call("POST", `/v1/jobs/${spec.jobId}/resume`, { key: org.adminKey });
    expect(resumed.json.status).toBe("processing");
    expect((await call("POST", `/v1/jobs/${spec.jobId}/resume`, { key: org.adminKey })).status).toBe(409);
    const done = await waitForJob(org.adminKey, spec.jobId);
    expect(done.status).toBe("completed");
    expect(done.counts.succeeded).toBe(5);
    expect((await slowStats(s)).calls).toBe(5);
    const audit = await call("GET", `/v1/audit-log?targetId=${spec.jobId}`, { key: org.adminKey });
    expect(audit.json.data.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(["job.paused", "job.resumed", "job.completed"]));
  });

  it("cancels: nothing more starts, what ran still counts, the rest of the reservation goes back", async () => {
    const org = await slowOrg({ billingMode: "prepaid", initialCredits: 20 });
    const s = slowScenario(300);
    const { spec } = await startJobWith(org, { entities: people(["a", "b", "c", "d", "e"]), integrationCodes: ["http_lookup"], params: { scenario: s } }, oneAtATime);
    expect((await orgCredits(org.orgId))?.reserved).toBe(5);
    const cancelled = await call("POST", `/v1/jobs/${spec.jobId}/cancel`, { key: org.adminKey });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe("cancelled");
    const events = await (await openEvents(org.adminKey, spec.jobId)).events();
    expect(events.map((e) => e.event)).toContain("job_cancelled");
    expect(events.at(-1)).toMatchObject({ event: "completed", data: { status: "cancelled" } });

    const job = await getJob(org.adminKey, spec.jobId);
    expect(job.status).toBe("cancelled");
    expect(job.counts.succeeded).toBeLessThanOrEqual(1);
    expect(job.counts.cancelled).toBe(5 - job.counts.succeeded);
    expect((await slowStats(s)).calls).toBe(job.counts.succeeded);
    expect(await chargedCredits(org.orgId, spec.jobId)).toBe(job.counts.succeeded);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 20 - job.counts.succeeded, reserved: 0 });
    const results = await allResults(org.adminKey, spec.jobId);
    expect(results.filter((r) => r.status === "cancelled")).toHaveLength(job.counts.cancelled);
    for (const action of ["cancel", "pause", "resume"]) {
      expect((await call("POST", `/v1/jobs/${spec.jobId}/${action}`, { key: org.adminKey })).status).toBe(409);
    }
  });

  it("cancels a paused job", async () => {
    const org = await slowOrg();
    const { spec } = await startJobWith(org, { entities: people(["a", "b", "c"]), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(200) } }, oneAtATime);
    await call("POST", `/v1/jobs/${spec.jobId}/pause`, { key: org.adminKey });
    const cancelled = await call("POST", `/v1/jobs/${spec.jobId}/cancel`, { key: org.adminKey });
    expect(cancelled.json.status).toBe("cancelled");
    const events = await (await openEvents(org.adminKey, spec.jobId)).events();
    expect(events.at(-1)?.event).toBe("completed");
  });
});

describe("retry", () => {
  it("runs the failed entities again as a follow-up job and charges only the new successes", async () => {
    const org = await slowOrg({ billingMode: "prepaid", initialCredits: 20 });
    const s = slowScenario();
    const res = await postJob(org.adminKey, { entities: people(["ok 1", "x flaky", "ok 2", "y flaky"]), integrationCodes: ["http_lookup"], params: { scenario: s } });
    const first = await waitForJob(org.adminKey, res.json.jobId);
    expect(first.counts).toMatchObject({ succeeded: 2, failed: 2 });

    const retry = await call("POST", `/v1/jobs/${res.json.jobId}/retry`, { key: org.adminKey });
    expect(retry.status).toBe(202);
    expect(retry.json).toMatchObject({ status: "processing", entityCount: 2, parentJobId: res.json.jobId });
    const second = await waitForJob(org.adminKey, retry.json.jobId);
    expect(second).toMatchObject({ status: "completed", parentJobId: res.json.jobId, counts: { succeeded: 2, failed: 0 } });
    const retried = await allResults(org.adminKey, retry.json.jobId);
    const firstResults = await allResults(org.adminKey, res.json.jobId);
    expect(retried.map((r) => r.entityId)).toEqual([firstResults[1].entityId, firstResults[3].entityId]);

    expect(await chargedCredits(org.orgId, res.json.jobId)).toBe(2);
    expect(await chargedCredits(org.orgId, retry.json.jobId)).toBe(2);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 16, reserved: 0 });
    expect((await call("POST", `/v1/jobs/${retry.json.jobId}/retry`, { key: org.adminKey })).status).toBe(409);
  });

  it("refuses to retry a job that is still running", async () => {
    const org = await lookupOrg();
    const { spec } = await startJobWith(org, { entities: people(["a", "b"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } }, (sp) => sp);
    expect((await call("POST", `/v1/jobs/${spec.jobId}/pause`, { key: org.adminKey })).status).toBe(200);
    const refused = await call("POST", `/v1/jobs/${spec.jobId}/retry`, { key: org.adminKey });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("paused");
    await call("POST", `/v1/jobs/${spec.jobId}/cancel`, { key: org.adminKey });
  });
});
