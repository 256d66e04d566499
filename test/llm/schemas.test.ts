import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { SseReader, waitForJob } from "../jobs/helpers";
import { COMPANY_SCHEMA, createSchema, jobEvents, llmOrg, record, scriptAnswers } from "./run-helpers";

describe("LLM schemas", () => {
  it("creates, reads, changes (each change a version), lists and deletes a schema", async () => {
    const org = await llmOrg();
    const created = await createSchema(org.adminKey);
    expect(created).toMatchObject({ version: 1, leafFields: 6, identifyingFields: ["legalName"], entityType: "company", origin: "saved" });
    const patched = await call("PATCH", `/v1/llm/schemas/${created.id}`, { key: org.adminKey, body: { description: "Companies we sell to", entityType: "corporation" } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ version: 2, description: "Companies we sell to", entityType: "corporation", name: "Company profile" });
    const withField = { ...COMPANY_SCHEMA.jsonSchema, properties: { ...COMPANY_SCHEMA.jsonSchema.properties, employees: { type: "integer", expertise: "finance" } } };
    expect((await call("PATCH", `/v1/llm/schemas/${created.id}`, { key: org.adminKey, body: { jsonSchema: withField } })).json).toMatchObject({ version: 3, leafFields: 7 });

    const versions = await call("GET", `/v1/llm/schemas/${created.id}/versions?limit=2`, { key: org.adminKey });
    expect(versions.json.data.map((v: { version: number; change: string }) => [v.version, v.change])).toEqual([[3, "updated"], [2, "updated"]]);
    const rest = await call("GET", `/v1/llm/schemas/${created.id}/versions?limit=2&cursor=${versions.json.nextCursor}`, { key: org.adminKey });
    expect(rest.json.data.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(rest.json.data[0].jsonSchema).toEqual(COMPANY_SCHEMA.jsonSchema);

    const list = await call("GET", "/v1/llm/schemas?q=profile", { key: org.adminKey });
    expect(list.json.data.map((s: { id: string }) => s.id)).toEqual([created.id]);
    expect((await call("DELETE", `/v1/llm/schemas/${created.id}`, { key: org.adminKey })).status).toBe(204);
    expect((await call("GET", `/v1/llm/schemas/${created.id}`, { key: org.adminKey })).status).toBe(404);
    expect((await call("GET", "/v1/llm/schemas", { key: org.adminKey })).json.data).toEqual([]);
  });

  it("refuses anything outside the subset with a 400 naming each path", async () => {
    const org = await llmOrg();
    const bad = {
      name: "Bad",
      expertiseDomains: { finance: { name: "Finance" } },
      jsonSchema: {
        type: "object",
        properties: {
          a: { type: "string", format: "phone" },
          b: { type: "number", expertise: "nowhere" },
          c: { oneOf: [{ type: "string" }] },
          d: { type: "object", properties: { e: { type: "object", properties: { f: { type: "object", properties: { g: { type: "object", properties: { h: { type: "object", properties: { i: { type: "string" } } } } } } } } } } },
          "bad name": { type: "string" },
        },
        required: ["zzz"],
      },
    };
    const res = await call("POST", "/v1/llm/schemas", { key: org.adminKey, body: bad });
    expect(res.status).toBe(400);
    const paths = res.json.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "jsonSchema.properties.a.format",
        "jsonSchema.properties.b.expertise",
        "jsonSchema.properties.c.type",
        "jsonSchema.properties.d.properties.e.properties.f.properties.g.properties.h",
        "jsonSchema.properties.bad name",
        "jsonSchema.required.0",
      ]),
    );
    const tooMany = { name: "Wide", jsonSchema: { type: "object", properties: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}`, { type: "string" }])) } };
    const wide = await call("POST", "/v1/llm/schemas", { key: org.adminKey, body: tooMany });
    expect(wide.status).toBe(400);
    expect(wide.json.error.details[0]).toMatchObject({ path: "jsonSchema.properties", code: "too_big" });
  });

  it("generates a schema from samples: the draft from code, the annotations from the model, validated, then saved", async () => {
    const org = await llmOrg();
    await scriptAnswers(org.fakeId, {
      alpha: {
        name: "Biotech companies",
        description: "Drug makers",
        entityType: "company",
        expertiseDomains: [{ key: "finance", name: "Finance", description: "Money" }],
        properties: [
          { path: "name", type: null, description: "Legal name", expertise: null, identifying: true, multilingual: false },
          { path: "revenue", type: null, description: "Revenue", expertise: "finance", identifying: false, multilingual: false },
          { path: "ceo", type: "string", description: "Chief executive", expertise: null, identifying: false, multilingual: false },
        ],
      },
    });
    const samples = [
      { name: "Moderna", revenue: 6.8, website: "https://modernatx.com", founded: "2010-09-01" },
      { name: "BioNTech", revenue: 3.8, website: "https://biontech.de", founded: null },
    ];
    const res = await call("POST", "/v1/llm/schemas/generate", { key: org.adminKey, body: { samples, model: "fake::alpha", instructions: "Add the CEO" } });
    expect(res.status).toBe(202);
    const job = await waitForJob(org.adminKey, res.json.jobId);
    expect(job).toMatchObject({ status: "completed", kind: "llm", details: { mode: "schema_generation" } });
    const schema = await call("GET", `/v1/llm/schemas/${res.json.schemaId}`, { key: org.adminKey });
    expect(schema.status).toBe(200);
    expect(schema.json).toMatchObject({ name: "Biotech companies", entityType: "company", version: 1, identifyingFields: ["name"], expertiseDomains: { finance: { name: "Finance" } } });
    expect(schema.json.jsonSchema.properties).toMatchObject({
      revenue: { type: "number", expertise: "finance" },
      website: { type: "string", format: "uri" },
      founded: { type: ["string", "null"], format: "date" },
      ceo: { type: "string", description: "Chief executive" },
    });
    expect(schema.json.jsonSchema.required).toEqual(["name", "revenue", "website"]);
    const events = (await jobEvents(org.adminKey, res.json.jobId)).map((e) => e.event);
    expect(events).toEqual(["job_started", "schema_draft_inferred", "entity_started", "model_started", "model_completed", "schema_saved", "entity_completed", "job_completed", "completed"]);
    const versions = await call("GET", `/v1/llm/schemas/${res.json.schemaId}/versions`, { key: org.adminKey });
    const generation = await record(org.adminKey, versions.json.data[0].recordId);
    expect(generation).toMatchObject({ type: "schema_generation", success: true, model: "fake::alpha" });
    expect(generation.prompts[0].requestBody.messages[1].content).toContain("<<<DATA");
  });

  it("fails the job with the reasons, storing nothing, when the model's answer makes an invalid schema", async () => {
    const org = await llmOrg();
    await scriptAnswers(org.fakeId, {
      alpha: {
        expertiseDomains: [],
        properties: [{ path: "name", type: null, description: "x", expertise: "nonexistent_domain", identifying: true, multilingual: false }],
      },
    });
    const res = await call("POST", "/v1/llm/schemas/generate?stream=true", { key: org.adminKey, body: { samples: [{ name: "Acme" }], model: "fake::alpha" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const streamed = await new SseReader(new Response(res.text)).events();
    const error = streamed.find((e) => e.event === "error");
    expect(error?.data).toMatchObject({ type: "error", code: "LLM_OUTPUT_INVALID" });
    expect(error?.data.issues[0]).toMatchObject({ path: "jsonSchema.properties.name.expertise", code: "unknown_expertise" });
    expect(streamed.at(-1)?.event).toBe("completed");
    expect((await call("GET", "/v1/llm/schemas", { key: org.adminKey })).json.data).toEqual([]);
    const failed = await call("GET", "/v1/llm/records?type=schema_generation", { key: org.adminKey });
    expect(failed.json.data[0]).toMatchObject({ success: false, credits: 0, error: { code: "LLM_OUTPUT_INVALID" } });
    const jobs = await call("GET", "/v1/jobs", { key: org.adminKey });
    expect(jobs.json.data[0]).toMatchObject({ kind: "llm", status: "failed" });
  });

  it("refuses samples that describe different things before any call", async () => {
    const org = await llmOrg();
    const res = await call("POST", "/v1/llm/schemas/generate", { key: org.adminKey, body: { samples: [{ a: 1, b: 2, c: 3 }, { x: 1, y: 2, z: 3 }], model: "fake::alpha" } });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0]).toMatchObject({ path: "samples", code: "samples_too_different" });
  });

  it("edits a schema with an instruction: operations applied by code into the next version; invalid ones change nothing", async () => {
    const org = await llmOrg();
    const schema = await createSchema(org.adminKey);
    const op = (fields: Record<string, unknown>) => ({
      op: "add_property",
      path: null,
      to: null,
      type: null,
      description: null,
      format: null,
      enum: null,
      expertise: null,
      identifying: null,
      multilingual: null,
      required: null,
      key: null,
      name: null,
      text: null,
      ...fields,
    });
    await scriptAnswers(org.fakeId, {
      alpha: {
        operations: [
          op({ op: "add_property", path: "employees", type: "integer", description: "Head count", expertise: "finance" }),
          op({ op: "rename_property", path: "listed", to: "publiclyListed" }),
          op({ op: "remove_property", path: "tags" }),
        ],
        summary: "Adds employees",
      },
      beta: { operations: [op({ op: "update_property", path: "nothing.here", description: "?" })], summary: "?" },
    });
    const edit = await call("POST", `/v1/llm/schemas/${schema.id}/edit`, { key: org.adminKey, body: { instruction: "Add the head count", model: "fake::alpha" } });
    expect(edit.status).toBe(202);
    expect(edit.json).toMatchObject({ schemaId: schema.id, fromVersion: 1 });
    expect((await waitForJob(org.adminKey, edit.json.jobId)).status).toBe("completed");
    const after = (await call("GET", `/v1/llm/schemas/${schema.id}`, { key: org.adminKey })).json;
    expect(after.version).toBe(2);
    expect(Object.keys(after.jsonSchema.properties)).toEqual(["legalName", "founded", "revenueUsdM", "publiclyListed", "sector", "employees"]);
    const events = await jobEvents(org.adminKey, edit.json.jobId);
    expect(events.find((e) => e.event === "schema_edit_applied")?.data).toMatchObject({ schemaId: schema.id, version: 2 });

    const bad = await call("POST", `/v1/llm/schemas/${schema.id}/edit`, { key: org.adminKey, body: { instruction: "Break it", model: "fake::beta" } });
    expect((await waitForJob(org.adminKey, bad.json.jobId)).status).toBe("failed");
    expect((await call("GET", `/v1/llm/schemas/${schema.id}`, { key: org.adminKey })).json.version).toBe(2);
    const results = await call("GET", `/v1/jobs/${bad.json.jobId}/results`, { key: org.adminKey });
    expect(results.json.data[0]).toMatchObject({ status: "failed", error: { code: "LLM_OUTPUT_INVALID" } });
  });
});
