import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { waitForJob } from "../jobs/helpers";
import { COMPANY_SCHEMA, createSchema, fakeRequests, fakeStats, jobEvents, llmOrg, record, records, runToEnd, scriptAnswers } from "./run-helpers";

const MODELS = ["fake::alpha", "fake::beta", "fake::gamma"];

/** Three models that agree after normalization on some fields, within tolerance on one, and disagree on `listed`. */
const ANSWERS = {
  alpha: { legalName: "Initech LLC", revenueUsdM: 18000, tags: ["a", "b"], listed: true, sector: "tech", founded: null },
  beta: { legalName: "initech llc.", revenueUsdM: 18050, tags: ["b", "a"], listed: false, sector: "tech", founded: null },
  gamma: { legalName: "Initrode", revenueUsdM: 9000, tags: ["c"], listed: null, sector: "health", founded: null },
};

const fieldOf = (fusion: any, path: string) => fusion.fields.find((f: { path: string }) => f.path === path);

describe("fusion of several models' records", () => {
  it("decides each field by weighted majority after normalizing, with tolerance, sets and abstentions", async () => {
    const org = await llmOrg();
    await scriptAnswers(org.fakeId, ANSWERS);
    const { created } = await runToEnd(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: MODELS });
    const [fused] = await records(org.adminKey, `jobId=${created.jobId}&type=fusion`);
    const fusion = await record(org.adminKey, fused.id);
    expect(fieldOf(fusion, "legalName")).toMatchObject({ value: "Initech LLC", status: "agreed", method: "majority", confidence: 0.6667, agreedModels: ["fake::alpha", "fake::beta"] });
    expect(fieldOf(fusion, "revenueUsdM")).toMatchObject({ value: 18000, status: "agreed", confidence: 0.6667 });
    expect(fieldOf(fusion, "tags")).toMatchObject({ value: ["a", "b"], status: "agreed" });
    expect(fieldOf(fusion, "sector")).toMatchObject({ value: "tech", status: "agreed" });
    expect(fieldOf(fusion, "founded")).toMatchObject({ value: null, status: "no_data", confidence: 0 });
    // gamma abstains on `listed`: 1 vote against 1, a conflict decided by plurality in model order.
    expect(fieldOf(fusion, "listed")).toMatchObject({ status: "conflicted", method: "plurality", value: true, confidence: 0.3333 });
    expect(fieldOf(fusion, "listed").sources).toEqual([
      { model: "fake::alpha", recordId: expect.any(String), value: true },
      { model: "fake::beta", recordId: expect.any(String), value: false },
      { model: "fake::gamma", recordId: expect.any(String), value: null },
    ]);
    expect(fusion.conflictReport).toMatchObject({ agreedFields: 4, conflictedFields: 1, noDataFields: 1, totalFields: 6 });
    expect(fusion.output).toEqual({ legalName: "Initech LLC", revenueUsdM: 18000, tags: ["a", "b"], listed: true, sector: "tech" });
    expect(fusion.sourceRecordIds).toHaveLength(3);
    expect(fusion).toMatchObject({ model: null, credits: 0, costMicroUsd: 0 });

    // Determinism: the same records fused on demand, in another order, give the same fields.
    const ids = [...fusion.sourceRecordIds].reverse();
    const again = await call("POST", "/v1/llm/fusions", { key: org.adminKey, body: { recordIds: ids } });
    expect(again.status).toBe(200);
    expect(again.json.record.output).toEqual(fusion.output);
    expect(again.json.record.fields).toEqual(fusion.fields);
    expect(again.json.conflictReport).toEqual(fusion.conflictReport);
  });

  it("sends only the conflicted fields to the arbiter, anonymized, and records its decision", async () => {
    const org = await llmOrg();
    await scriptAnswers(org.fakeId, { ...ANSWERS, judge: { decisions: [{ path: "listed", choice: "B", reasoning: "B is right" }] } });
    const { created } = await runToEnd(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: MODELS, arbitrationModel: "fake::judge" });
    const judged = (await fakeRequests(org.fakeId)).filter((r) => r.model === "judge");
    expect(judged).toHaveLength(1);
    const prompt = judged[0]?.body.messages[1].content as string;
    expect(prompt).toContain('"path": "listed"');
    expect(prompt).not.toMatch(/legalName|revenueUsdM|alpha|beta|gamma/);
    const all = await records(org.adminKey, `jobId=${created.jobId}`);
    const arbitration = all.find((r) => r.type === "arbitration");
    expect(arbitration).toMatchObject({ model: "fake::judge", success: true });
    expect(arbitration.credits).toBeGreaterThan(0);
    const fusion = await record(org.adminKey, all.find((r) => r.type === "fusion").id);
    const listed = fieldOf(fusion, "listed");
    expect(listed).toMatchObject({ status: "arbitrated", method: "arbitration" });
    const labels = (await record(org.adminKey, arbitration.id)).details.labels.listed;
    expect(listed.value).toBe(labels.B);
    expect(fusion.details).toMatchObject({ fusionMethod: "llm", arbitrationRecordId: arbitration.id });
    const events = (await jobEvents(org.adminKey, created.jobId)).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(["conflicts_detected", "arbitration_started", "arbitration_completed", "fusion_completed"]));
  });

  it("validates the fused record: a union that breaks maxItems gives way to a candidate that fits, with a warning", async () => {
    const org = await llmOrg();
    const schema = { name: "Tagged", jsonSchema: { type: "object", properties: { name: { type: "string" }, tags: { type: "array", items: { type: "string" }, maxItems: 3 } } } };
    await scriptAnswers(org.fakeId, { alpha: { name: "X", tags: ["a", "b", "c"] }, beta: { name: "X", tags: ["a", "b", "d"] }, gamma: { name: "X", tags: ["a", "c", "d"] } });
    const { created } = await runToEnd(org.adminKey, { entities: [{ name: "X" }], schema, models: MODELS });
    const [fused] = await records(org.adminKey, `jobId=${created.jobId}&type=fusion`);
    const fusion = await record(org.adminKey, fused.id);
    expect(fusion.output.tags).toEqual(["a", "b", "c"]);
    expect(fusion.details.validationWarnings).toEqual([{ path: "tags", message: "The fused value broke the schema; the next candidate was taken" }]);
  });

  it("makes no arbitration call when the models agree", async () => {
    const org = await llmOrg();
    const { created } = await runToEnd(org.adminKey, { entities: [{ name: "Agreeable" }], schema: COMPANY_SCHEMA, models: ["fake::alpha", "fake::beta"], arbitrationModel: "fake::judge" });
    expect((await fakeStats(org.fakeId)).byModel["openai_compatible::judge"]).toBeUndefined();
    const all = await records(org.adminKey, `jobId=${created.jobId}`);
    expect(all.map((r) => r.type).sort()).toEqual(["enrichment", "enrichment", "fusion"]);
    // The arbitration task's hold went back: only the two model records were charged.
    const job = (await call("GET", `/v1/jobs/${created.jobId}`, { key: org.adminKey })).json;
    expect(job.credits).toBe(all.reduce((s, r) => s + r.credits, 0));
  });

  it("fuses chosen records on demand: rule-based now, with an arbiter as a job; refuses foreign, failed or mixed records", async () => {
    const org = await llmOrg();
    await scriptAnswers(org.fakeId, { ...ANSWERS, judge: { decisions: [{ path: "listed", choice: "none", reasoning: "unclear" }] } });
    const { created } = await runToEnd(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: MODELS });
    const ids = (await records(org.adminKey, `jobId=${created.jobId}&type=enrichment`)).map((r) => r.id);
    const judged = await call("POST", "/v1/llm/fusions", { key: org.adminKey, body: { recordIds: ids, arbitrationModel: "fake::judge" } });
    expect(judged.status).toBe(202);
    expect((await waitForJob(org.adminKey, judged.json.jobId)).status).toBe("completed");
    const [fusion] = await records(org.adminKey, `jobId=${judged.json.jobId}&type=fusion`);
    expect(fieldOf(await record(org.adminKey, fusion.id), "listed")).toMatchObject({ status: "arbitrated", value: null });

    const other = await llmOrg();
    const theirs = await call("POST", "/v1/llm/fusions", { key: other.adminKey, body: { recordIds: ids } });
    const unknown = await call("POST", "/v1/llm/fusions", { key: org.adminKey, body: { recordIds: [ids[0], crypto.randomUUID()] } });
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(theirs.json.error.message).toBe(unknown.json.error.message);
    const mixed = await call("POST", "/v1/llm/fusions", { key: org.adminKey, body: { recordIds: [ids[0], fusion.id] } });
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.details[0].path).toBe("recordIds.1");
    const otherSchema = await createSchema(org.adminKey);
    const { created: second } = await runToEnd(org.adminKey, { entities: [{ name: "Other" }], schemaId: otherSchema.id, models: ["fake::alpha"] });
    const [foreignSchema] = await records(org.adminKey, `jobId=${second.jobId}`);
    const differs = await call("POST", "/v1/llm/fusions", { key: org.adminKey, body: { recordIds: [ids[0], foreignSchema.id] } });
    expect(differs.status).toBe(400);
    expect(differs.json.error.message).toContain("same schema");
  });

  it("writes the fused fields to the entity with provenance, under the confidence rule", async () => {
    const org = await llmOrg();
    const person = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes: { fullName: "Ada Lovelace", phone: "+44 20 7946 0958" } } });
    // A more confident value from another source is kept.
    await call("POST", `/v1/entities/${person.json.id}/enrichments`, { key: org.adminKey, body: { integrationCodes: ["phone_normalize"] } });
    const schema = {
      name: "Person",
      jsonSchema: { type: "object", properties: { phoneE164: { type: "string" }, employer: { type: "string" }, hobby: { type: "string" } } },
    };
    await scriptAnswers(org.fakeId, {
      alpha: { phoneE164: "+15550000000", employer: "Analytical Engines", hobby: "Poetry" },
      beta: { phoneE164: "+15550000000", employer: "Analytical Engines", hobby: "Chess" },
      gamma: { phoneE164: "+15551111111", employer: "analytical engines", hobby: "Poetry" },
    });
    const { created } = await runToEnd(org.adminKey, { entities: [person.json.id], schema, models: MODELS, saveToEntity: true });
    const [fusion] = await records(org.adminKey, `jobId=${created.jobId}&type=fusion`);
    const enriched = (await call("GET", `/v1/entities/${person.json.id}`, { key: org.adminKey })).json.enriched;
    expect(enriched.employer).toMatchObject({ value: "Analytical Engines", source: "llm", recordId: fusion.id, confidence: 1 });
    expect(enriched.hobby).toMatchObject({ value: "Poetry", source: "llm", confidence: 0.6667 });
    expect(enriched.phoneE164).toMatchObject({ value: "+442079460958", source: "phone_normalize", confidence: 1 });
    const audit = await call("GET", "/v1/audit-log?action=entity.enriched", { key: org.adminKey });
    expect(audit.json.data.some((a: { data: { recordId?: string } }) => a.data.recordId === fusion.id)).toBe(true);
  });
});
