import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { waitUntil } from "../jobs/helpers";
import { COMPANY_SCHEMA, fakeRequests, jobCharges, llmOrg, newId, record, records, runToEnd, scriptAnswers } from "./run-helpers";

describe("grounding", () => {
  it("runs the integrations first, puts what they found into the prompts, and cites them on the fields they support", async () => {
    const org = await llmOrg();
    const enable = await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL } } });
    expect(enable.status).toBe(200);
    const company = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", attributes: { name: `Initech ${newId()}` } } });
    const name = company.json.attributes.name as string;
    const found = `Title of ${name} from http_lookup`;
    await scriptAnswers(org.fakeId, { alpha: { title: found, seniority: "junior" } });
    const schema = { name: "Grounded", jsonSchema: { type: "object", properties: { title: { type: "string" }, seniority: { type: "string" } } } };
    const { created, job } = await runToEnd(org.adminKey, { entities: [company.json.id], schema, models: ["fake::alpha"], grounding: { integrationCodes: ["http_lookup"] } });
    expect(job.status).toBe("completed");
    const enrichments = await call("GET", `/v1/entities/${company.json.id}/enrichments`, { key: org.adminKey });
    expect(enrichments.json.data).toMatchObject([{ integrationCode: "http_lookup", status: "succeeded", jobId: created.jobId, credits: 1 }]);
    const prompt = (await fakeRequests(org.fakeId))[0]?.body.messages[1].content as string;
    expect(prompt).toContain("Known facts about it");
    expect(prompt).toContain(found);
    const [rec] = await records(org.adminKey, `jobId=${created.jobId}&type=enrichment`);
    const detail = await record(org.adminKey, rec.id);
    expect(detail.details.grounded).toBe(true);
    // The title the integration found is also the entity's stored field now: both support it.
    expect(detail.details.citations.title).toEqual([
      { source: "entity", field: "title" },
      { source: "integration:http_lookup", enrichmentId: enrichments.json.data[0].id, field: "fields.title" },
    ]);
    expect(detail.details.citations.seniority).toBeUndefined();
    // The integration's record and charge, and the model's, each once.
    const charges = await jobCharges(org.orgId, created.jobId);
    expect(charges.map((c) => c.code).sort()).toEqual(["http_lookup", "llm:fake::alpha"]);
    const events = await call("GET", `/v1/jobs/${created.jobId}/results`, { key: org.adminKey });
    expect(events.json.data[0]).toMatchObject({ status: "succeeded", credits: 1 + rec.credits });
  });
});

describe("records", () => {
  it("lists with filters, reads one with its prompts (never a key), and deletes in batches", async () => {
    const org = await llmOrg();
    await call("PUT", "/v1/llm/providers/fake", { key: org.adminKey, body: { apiKey: "sk-fake-provider-secret" } });
    const { created } = await runToEnd(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: ["fake::alpha", "fake::beta"] });
    const all = await records(org.adminKey, `jobId=${created.jobId}`);
    expect(all.map((r) => r.type).sort()).toEqual(["enrichment", "enrichment", "fusion"]);
    expect((await records(org.adminKey, `jobId=${created.jobId}&type=fusion`)).map((r) => r.type)).toEqual(["fusion"]);
    expect((await records(org.adminKey, `jobId=${created.jobId}&model=fake::beta`)).map((r) => r.model)).toEqual(["fake::beta"]);
    expect(await records(org.adminKey, `jobId=${created.jobId}&success=false`)).toEqual([]);
    const page = await call("GET", `/v1/llm/records?jobId=${created.jobId}&limit=2&withTotal=true`, { key: org.adminKey });
    expect(page.json.total).toBe(3);
    const next = await call("GET", `/v1/llm/records?jobId=${created.jobId}&limit=2&cursor=${page.json.nextCursor}`, { key: org.adminKey });
    expect([...page.json.data, ...next.json.data].map((r: { id: string }) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
    expect(page.json.data[0]).not.toHaveProperty("prompts");

    const model = all.find((r) => r.type === "enrichment");
    const detail = await call("GET", `/v1/llm/records/${model.id}`, { key: org.adminKey });
    expect(detail.json.prompts[0].requestBody.messages[0].role).toBe("system");
    expect(detail.json.prompts[0].rawResponse.choices[0].message.content).toBeTruthy();
    expect(detail.text).not.toContain("sk-fake-provider-secret");
    // The key went to the provider, and nowhere else.
    expect((await fakeRequests(org.fakeId))[0]?.headers.authorization).toBe("Bearer sk-fake-provider-secret");

    const other = await llmOrg();
    const theirs = await call("GET", `/v1/llm/records/${model.id}`, { key: other.adminKey });
    const unknown = await call("GET", `/v1/llm/records/${crypto.randomUUID()}`, { key: other.adminKey });
    expect(theirs.status).toBe(404);
    expect(theirs.text).toBe(unknown.text);
    const stolen = await call("POST", "/v1/llm/records/batch-delete", { key: other.adminKey, body: { ids: [model.id] } });
    expect(stolen.json).toEqual({ deleted: [], notFound: [model.id] });

    const ghost = crypto.randomUUID();
    const deleted = await call("POST", "/v1/llm/records/batch-delete", { key: org.adminKey, body: { ids: [model.id, ghost, model.id] } });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ deleted: [model.id], notFound: [ghost] });
    expect((await call("GET", `/v1/llm/records/${model.id}`, { key: org.adminKey })).status).toBe(404);
    const tooMany = await call("POST", "/v1/llm/records/batch-delete", { key: org.adminKey, body: { ids: Array.from({ length: 101 }, () => crypto.randomUUID()) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.details[0].path).toBe("ids");
    const audit = await call("GET", "/v1/audit-log?action=llm_record.deleted", { key: org.adminKey });
    expect(audit.json.data[0].data.ids).toEqual([model.id]);
  });
});

describe("webhooks", () => {
  it("sends llm_enrichment.completed once per entity to the run's webhook, then job.completed", async () => {
    const org = await llmOrg();
    const bin = `llm-${newId()}`;
    const hook = await call("POST", "/v1/webhooks", { key: org.adminKey, body: { url: `${env.FAKE_PROVIDER_URL}/webhooks/in/${bin}`, events: ["llm_enrichment.completed", "llm_enrichment.failed", "job.completed"] } });
    expect(hook.status).toBe(201);
    const { created } = await runToEnd(org.adminKey, {
      entities: [{ name: "Initech" }, { name: "Broken [[fake-llm fail=refuse]]" }],
      schema: COMPANY_SCHEMA,
      models: ["fake::alpha"],
      webhookId: hook.json.id,
    });
    const received = await waitUntil(
      async () => (await (await fetch(`${env.FAKE_PROVIDER_URL}/webhooks/received/${bin}`)).json()) as { body: string }[],
      (r) => r.length >= 3,
    );
    const events = received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type).sort()).toEqual(["job.completed", "llm_enrichment.completed", "llm_enrichment.failed"]);
    expect(events.find((e) => e.type === "llm_enrichment.completed")?.data).toMatchObject({ jobId: created.jobId, entityIndex: 0, status: "succeeded", recordIds: [expect.any(String)] });
    expect(events.find((e) => e.type === "llm_enrichment.failed")?.data).toMatchObject({ entityIndex: 1, status: "failed" });
  });
});
