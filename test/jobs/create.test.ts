import { describe, expect, it } from "vitest";
import { call, createKey } from "../helpers/api";
import { lookupOrg, person, scenario } from "../helpers/enrichment";
import { createHook } from "../webhooks/harness";
import { allResults, chargedCredits, getJob, orgCredits, people, postJob, waitForJob } from "./helpers";

describe("POST /v1/jobs", () => {
  it("runs inline and existing entities, upserting inline ones by externalId", async () => {
    const org = await lookupOrg();
    const existing = await person(org.adminKey, { fullName: "Grace Hopper", email: "grace@example.com" });
    await call("PUT", "/v1/entities/by-external-id/crm-7", { key: org.adminKey, body: { type: "person", attributes: { fullName: "Old Name" } } });
    const res = await postJob(org.adminKey, {
      entities: [existing, { type: "person", externalId: "crm-7", attributes: { fullName: "Alan Turing" } }, { type: "company", attributes: { name: "Acme", domain: "acme.test" } }],
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: scenario() },
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "processing", entityCount: 3, webhookId: null });
    expect(typeof res.json.jobId).toBe("string");

    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job).toMatchObject({ status: "completed", entityCount: 3, strategy: "all", integrationCodes: ["http_lookup", "http_lookup_alt"] });
    expect(job.counts).toEqual({ total: 3, queued: 0, running: 0, succeeded: 3, failed: 0, cancelled: 0 });
    expect(job.entityTypes).toEqual(["company", "person"]);
    expect(job.credits).toBe(6);
    expect(job.costCents).toBe(18);

    const upserted = await call("GET", "/v1/entities/by-external-id/crm-7", { key: org.adminKey });
    expect(upserted.json.attributes.fullName).toBe("Alan Turing");
    expect(upserted.json.enriched.title.value).toContain("Alan Turing");

    const results = await allResults(org.adminKey, res.json.jobId);
    expect(results.map((r) => r.entityIndex)).toEqual([0, 1, 2]);
    expect(results[0]).toMatchObject({ entityId: existing, status: "succeeded", success: true, totalCredits: 2, error: null });
    expect(results[1]).toMatchObject({ entityId: upserted.json.id, externalId: "crm-7" });
    expect(results[0].results.map((r: { integrationCode: string }) => r.integrationCode)).toEqual(["http_lookup", "http_lookup_alt"]);

    const records = await call("GET", `/v1/entities/${existing}/enrichments`, { key: org.adminKey });
    expect(records.json.data.every((r: { jobId: string }) => r.jobId === res.json.jobId)).toBe(true);
    const audit = await call("GET", `/v1/audit-log?action=job.created&targetId=${res.json.jobId}`, { key: org.adminKey });
    expect(audit.json.data).toHaveLength(1);
  });

  it("accepts a CSV with a header row, options in the query string", async () => {
    const org = await lookupOrg();
    const csv = ["type,externalId,fullName,email,custom.tier", "person,csv-1,Ada Lovelace,ada@example.com,gold", "person,csv-2,Charles Babbage,,", ""].join("\n");
    const s = encodeURIComponent(JSON.stringify({ scenario: scenario() }));
    const res = await call("POST", `/v1/jobs?integrationCodes=http_lookup&params=${s}`, {
      key: org.adminKey,
      rawBody: csv,
      headers: { "content-type": "text/csv" },
    });
    expect(res.status).toBe(202);
    expect(res.json.entityCount).toBe(2);
    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job.counts.succeeded).toBe(2);
    const ada = await call("GET", "/v1/entities/by-external-id/csv-1", { key: org.adminKey });
    expect(ada.json.attributes).toMatchObject({ fullName: "Ada Lovelace", email: "ada@example.com", custom: { tier: "gold" } });

    const noType = await call("POST", "/v1/jobs?integrationCodes=http_lookup", { key: org.adminKey, rawBody: "fullName\nAda", headers: { "content-type": "text/csv" } });
    expect(noType.status).toBe(400);
    const typed = await call("POST", "/v1/jobs?integrationCodes=http_lookup&type=person", { key: org.adminKey, rawBody: "fullName\nAda", headers: { "content-type": "text/csv" } });
    expect(typed.status).toBe(202);
    const badAttr = await call("POST", "/v1/jobs?integrationCodes=http_lookup&type=person", { key: org.adminKey, rawBody: "email\nnope", headers: { "content-type": "text/csv" } });
    expect(badAttr.status).toBe(400);
    expect(badAttr.json.error.details[0]).toMatchObject({ path: "row 2.email", row: 2, column: "email" });
    const plain = await call("POST", "/v1/jobs", { key: org.adminKey, rawBody: "x", headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
  });

  it("refuses more than 1000 entities, saying the limit", async () => {
    const org = await lookupOrg();
    const ids = Array.from({ length: 1001 }, () => crypto.randomUUID());
    const res = await postJob(org.adminKey, { entities: ids, integrationCodes: ["http_lookup"] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json.error)).toContain("1000");
    const rows = ["type,fullName", ...Array.from({ length: 1001 }, (_, i) => `person,P ${i}`)].join("\n");
    const csv = await call("POST", "/v1/jobs?integrationCodes=http_lookup", { key: org.adminKey, rawBody: rows, headers: { "content-type": "text/csv" } });
    expect(csv.status).toBe(400);
    expect(csv.json.error.message).toContain("at most 1000");
  });

  it("rejects bad input with 400 and starts nothing", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    expect((await postJob(org.adminKey, { entities: [id], integrationCodes: ["nope"] })).status).toBe(400);
    expect((await postJob(org.adminKey, { entities: [id], enrichmentGroupRefs: ["missing"] })).status).toBe(400);
    expect((await postJob(org.adminKey, { entities: [id] })).status).toBe(400);
    expect((await postJob(org.adminKey, { entities: [], integrationCodes: ["http_lookup"] })).status).toBe(400);
    const unknown = await postJob(org.adminKey, { entities: [id, crypto.randomUUID()], integrationCodes: ["http_lookup"] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details[0].path).toBe("entities.1");
    const twice = await postJob(org.adminKey, { entities: [id, id], integrationCodes: ["http_lookup"] });
    expect(twice.status).toBe(400);
    const badAttributes = await postJob(org.adminKey, { entities: [{ type: "person", attributes: { email: "nope" } }], integrationCodes: ["http_lookup"] });
    expect(badAttributes.status).toBe(400);
    expect(badAttributes.json.error.details[0].path).toBe("entities.0.attributes.email");
    const list = await call("GET", "/v1/jobs", { key: org.adminKey });
    expect(list.json.data).toHaveLength(0);
  });

  it("answers 402 when a prepaid balance cannot cover the most the job could charge, and starts nothing", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 3 });
    const body = { entities: people(["A", "B"]), integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } };
    const res = await postJob(org.adminKey, body);
    expect(res.status).toBe(402);
    expect(res.json.error).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { required: 4, available: 3 } });
    expect(await orgCredits(org.orgId)).toEqual({ balance: 3, reserved: 0 });
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toHaveLength(0);
    expect((await call("GET", "/v1/entities", { key: org.adminKey })).json.data).toHaveLength(0);
  });

  it("holds the most it could charge, bills successes only and releases the rest at the end", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const res = await postJob(org.adminKey, {
      entities: people(["A", "B", "C"]),
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: scenario({ http_lookup_alt: "404" }) },
    });
    expect(res.status).toBe(202);
    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job.reservedCredits).toBe(6);
    expect(job.credits).toBe(3);
    expect(job.counts.succeeded).toBe(3);
    expect(await chargedCredits(org.orgId, res.json.jobId)).toBe(3);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 7, reserved: 0 });
  });

  it("takes a webhook of the organization subscribed to job or enrichment events, else 422", async () => {
    const org = await lookupOrg();
    const other = await lookupOrg();
    const id = await person(org.adminKey);
    const good = await createHook(org.adminKey, {}, ["job.completed"]);
    const unrelated = await createHook(org.adminKey, {}, ["contact_enrichment.finished"]);
    const foreign = await createHook(other.adminKey, {}, ["job.completed"]);
    const body = (webhookId: string) => ({ entities: [id], integrationCodes: ["http_lookup"], params: { scenario: scenario() }, webhookId });
    expect((await postJob(org.adminKey, body(unrelated.id))).status).toBe(422);
    expect((await postJob(org.adminKey, body(foreign.id))).status).toBe(422);
    expect((await postJob(org.adminKey, body("nope"))).status).toBe(422);
    const ok = await postJob(org.adminKey, body(good.id));
    expect(ok.status).toBe(202);
    expect(ok.json.webhookId).toBe(good.id);
    expect((await waitForJob(org.adminKey, ok.json.jobId)).webhookId).toBe(good.id);
  });

  it("replays the same job for the same Idempotency-Key", async () => {
    const org = await lookupOrg();
    const body = { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } };
    const first = await postJob(org.adminKey, body, { "idempotency-key": "job-1" });
    const again = await postJob(org.adminKey, body, { "idempotency-key": "job-1" });
    expect(again.status).toBe(202);
    expect(again.json.jobId).toBe(first.json.jobId);
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toHaveLength(1);
  });
});

describe("reading jobs", () => {
  it("lists newest first with status and entityType filters, scoped to the organization", async () => {
    const org = await lookupOrg();
    const other = await lookupOrg();
    const s = scenario();
    const a = await postJob(org.adminKey, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: s } });
    const b = await postJob(org.adminKey, { entities: [{ type: "company", attributes: { name: "Acme" } }], integrationCodes: ["http_lookup"], params: { scenario: s } });
    await waitForJob(org.adminKey, a.json.jobId);
    await waitForJob(org.adminKey, b.json.jobId);
    const all = await call("GET", "/v1/jobs", { key: org.adminKey });
    expect(all.json.data.map((j: { id: string }) => j.id)).toEqual([b.json.jobId, a.json.jobId]);
    const companies = await call("GET", "/v1/jobs?entityType=company", { key: org.adminKey });
    expect(companies.json.data.map((j: { id: string }) => j.id)).toEqual([b.json.jobId]);
    const completed = await call("GET", "/v1/jobs?status=completed&limit=1", { key: org.adminKey });
    expect(completed.json.data).toHaveLength(1);
    expect(completed.json.nextCursor).not.toBeNull();
    const next = await call("GET", `/v1/jobs?status=completed&limit=1&cursor=${completed.json.nextCursor}`, { key: org.adminKey });
    expect(next.json.data[0].id).toBe(a.json.jobId);
    expect((await call("GET", "/v1/jobs?status=paused", { key: org.adminKey })).json.data).toHaveLength(0);

    expect((await call("GET", "/v1/jobs", { key: other.adminKey })).json.data).toHaveLength(0);
    for (const path of ["", "/results", "/results.csv", "/events"]) {
      expect((await call("GET", `/v1/jobs/${a.json.jobId}${path}`, { key: other.adminKey })).status).toBe(404);
    }
    for (const action of ["pause", "resume", "cancel", "retry"]) {
      expect((await call("POST", `/v1/jobs/${a.json.jobId}/${action}`, { key: other.adminKey })).status).toBe(404);
    }
  });

  it("lets viewers read but not create or control jobs", async () => {
    const org = await lookupOrg();
    const viewer = await createKey(org.adminKey, "viewer");
    const res = await postJob(org.adminKey, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    expect((await postJob(viewer.key, { entities: people(["B"]), integrationCodes: ["http_lookup"] })).status).toBe(403);
    expect((await call("POST", `/v1/jobs/${res.json.jobId}/cancel`, { key: viewer.key })).status).toBe(403);
    expect((await getJob(viewer.key, res.json.jobId)).id).toBe(res.json.jobId);
    expect((await call("GET", "/v1/jobs", {})).status).toBe(401);
    await waitForJob(org.adminKey, res.json.jobId);
  });
});
