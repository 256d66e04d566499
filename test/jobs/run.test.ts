import Papa from "papaparse";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { lookupOrg, scenario } from "../helpers/enrichment";
import { waitForReceived } from "../helpers/webhook-receiver";
import { createHook, signatureHeaders } from "../webhooks/harness";
import { allResults, chargedCredits, orgCredits, people, postJob, slowOrg, slowScenario, waitForJob } from "./helpers";

describe("running a job", () => {
  it("fails an entity that runs out of time with ENRICHMENT_TIMEOUT while its siblings go on", async () => {
    const org = await slowOrg({ billingMode: "prepaid", initialCredits: 100 });
    const res = await postJob(org.adminKey, {
      entities: people(["Ada One", "Bob hang", "Cy Three"]),
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: slowScenario() },
      perEntityTimeoutMs: 500,
    });
    expect(res.status).toBe(202);
    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job.status).toBe("completed");
    expect(job.counts).toEqual({ total: 3, queued: 0, running: 0, succeeded: 2, failed: 1, cancelled: 0 });
    const [ada, bob, cy] = await allResults(org.adminKey, res.json.jobId);
    expect(ada.status).toBe("succeeded");
    expect(cy.status).toBe("succeeded");
    expect(bob).toMatchObject({ status: "failed", error: { code: "ENRICHMENT_TIMEOUT" }, totalCredits: 0 });
    for (const r of bob.results) {
      expect(r.error).toMatchObject({ code: "ENRICHMENT_TIMEOUT", category: "timeout" });
      // Cut by the entity's 500 ms, not the integration's own 3 s budget.
      expect(r.executionTime).toBeLessThan(3000);
    }
    expect(job.credits).toBe(4);
    expect(await chargedCredits(org.orgId, res.json.jobId)).toBe(4);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 96, reserved: 0 });
  });

  it("fails the job only when every entity failed", async () => {
    const org = await slowOrg({ billingMode: "prepaid", initialCredits: 10 });
    const res = await postJob(org.adminKey, { entities: people(["x fail500", "y nodata"]), integrationCodes: ["http_lookup"], params: { scenario: slowScenario() } });
    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job.status).toBe("failed");
    expect(job.counts).toMatchObject({ succeeded: 0, failed: 2 });
    const [a, b] = await allResults(org.adminKey, res.json.jobId);
    expect(a.error.code).toBe("HTTP_500");
    expect(b.error.code).toBe("NO_DATA");
    expect(await orgCredits(org.orgId)).toEqual({ balance: 10, reserved: 0 });
  });

  it("runs a waterfall per entity and skips what is no longer needed at no cost", async () => {
    const org = await lookupOrg();
    const res = await postJob(org.adminKey, {
      entities: people(["A", "B"]),
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      strategy: "waterfall",
      params: { scenario: scenario({ http_lookup: "nodata" }), fields: ["title"] },
    });
    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job.counts.succeeded).toBe(2);
    const results = await allResults(org.adminKey, res.json.jobId);
    for (const r of results) expect(r.results.map((x: { status: string }) => x.status)).toEqual(["failed", "succeeded"]);
    expect(await chargedCredits(org.orgId, res.json.jobId)).toBe(2);

    const stopped = await postJob(org.adminKey, {
      entities: people(["C"]),
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      strategy: "waterfall",
      params: { scenario: scenario(), fields: ["title"] },
    });
    await waitForJob(org.adminKey, stopped.json.jobId);
    const [c] = await allResults(org.adminKey, stopped.json.jobId);
    expect(c.results.map((x: { status: string }) => x.status)).toEqual(["succeeded", "skipped"]);
    expect(c.totalCredits).toBe(1);
  });

  it("charges exactly the successful results, however the integrations fare", async () => {
    const org = await slowOrg({ billingMode: "prepaid", initialCredits: 50 });
    const names = ["a", "b fail500", "c", "d nodata", "e", "f fail500", "g"];
    const res = await postJob(org.adminKey, { entities: people(names), integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: slowScenario() } });
    const job = await waitForJob(org.adminKey, res.json.jobId);
    const results = await allResults(org.adminKey, res.json.jobId);
    const successes = results.flatMap((r) => r.results).filter((r: { success: boolean }) => r.success).length;
    expect(successes).toBe(8);
    expect(job.credits).toBe(successes);
    expect(await chargedCredits(org.orgId, res.json.jobId)).toBe(successes);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 50 - successes, reserved: 0 });
    const records = await call("GET", `/v1/audit-log?action=job.completed&targetId=${res.json.jobId}`, { key: org.adminKey });
    expect(records.json.data).toHaveLength(1);
  });

  it("pages results in job order and exports them as CSV", async () => {
    const org = await slowOrg();
    const names = ["p0", "p1 fail500", "p2", "p3", "p4"];
    const entities = people(names);
    const res = await postJob(org.adminKey, { entities, integrationCodes: ["http_lookup"], params: { scenario: slowScenario() } });
    await waitForJob(org.adminKey, res.json.jobId);
    const first = await call("GET", `/v1/jobs/${res.json.jobId}/results?limit=2`, { key: org.adminKey });
    expect(first.json.data.map((r: { entityIndex: number }) => r.entityIndex)).toEqual([0, 1]);
    const second = await call("GET", `/v1/jobs/${res.json.jobId}/results?limit=2&cursor=${first.json.nextCursor}`, { key: org.adminKey });
    expect(second.json.data.map((r: { entityIndex: number }) => r.entityIndex)).toEqual([2, 3]);
    const all = await allResults(org.adminKey, res.json.jobId, 2);
    expect(all.map((r) => r.externalId)).toEqual(entities.map((e) => e.externalId));
    expect(all[0]).toMatchObject({ success: true, status: "succeeded", totalCredits: 1, totalCostCents: 3 });
    expect(all[0].results[0]).toMatchObject({ integrationCode: "http_lookup", status: "succeeded", credits: 1 });
    const failedOnly = await call("GET", `/v1/jobs/${res.json.jobId}/results?status=failed`, { key: org.adminKey });
    expect(failedOnly.json.data.map((r: { entityIndex: number }) => r.entityIndex)).toEqual([1]);
    expect((await call("GET", `/v1/jobs/${res.json.jobId}/results?cursor=nope`, { key: org.adminKey })).status).toBe(400);

    const csv = await call("GET", `/v1/jobs/${res.json.jobId}/results.csv`, { key: org.adminKey });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const parsed = Papa.parse<Record<string, string>>(csv.text, { header: true, skipEmptyLines: true });
    expect(parsed.data).toHaveLength(5);
    expect(parsed.meta.fields).toEqual(
      expect.arrayContaining(["entityId", "externalId", "type", "fullName", "status", "http_lookup.status", "http_lookup.errorCode", "enriched.title", "enriched.seniority"]),
    );
    expect(parsed.data.map((r) => r.externalId)).toEqual(entities.map((e) => e.externalId));
    expect(parsed.data[0]).toMatchObject({ status: "succeeded", fullName: "p0", "enriched.title": "Title of p0 from http_lookup" });
    expect(parsed.data[1]).toMatchObject({ status: "failed", "http_lookup.errorCode": "HTTP_500", "http_lookup.status": "failed", "enriched.title": "" });
  });

  it("publishes signed webhooks: one per entity and one for the job", async () => {
    const org = await lookupOrg();
    const hook = await createHook(org.adminKey, {}, ["enrichment.completed", "enrichment.failed", "job.completed", "job.failed"]);
    const res = await postJob(org.adminKey, {
      entities: people(["A", "B"]),
      integrationCodes: ["http_lookup"],
      params: { scenario: scenario() },
      webhookId: hook.id,
    });
    await waitForJob(org.adminKey, res.json.jobId);
    const received = await waitForReceived(hook.bin, 3);
    expect(received).toHaveLength(3);
    const verifier = new Webhook(hook.secret);
    const payloads = received.map((r) => verifier.verify(r.body, signatureHeaders(r.headers)) as { type: string; data: Record<string, unknown> });
    const types = payloads.map((p) => p.type).sort();
    expect(types).toEqual(["enrichment.completed", "enrichment.completed", "job.completed"]);
    const jobPayload = payloads.find((p) => p.type === "job.completed");
    expect(jobPayload?.data).toMatchObject({ jobId: res.json.jobId, status: "completed", counts: { succeeded: 2 } });
    for (const p of payloads.filter((x) => x.type === "enrichment.completed")) expect(p.data.jobId).toBe(res.json.jobId);
  });
});
