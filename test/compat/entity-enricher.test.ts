import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { waitForJob } from "../jobs/helpers";
import { scriptAnswers } from "../llm/run-helpers";
import { CLAUDE, GPT, SCHEMA_BODY, dataFrames, enricher, enricherOrg, savedSchema, streamOf, typesOf } from "./enricher-client";

const moderna = { name: "Moderna Inc", country: "US" };

describe("Entity Enricher: authentication and errors", () => {
  it("answers 401 {detail} without X-API-Key or with a bad one, 403 to a viewer's write", async () => {
    const org = await createOrg();
    const none = await enricher("GET", "/api/enrichment/options", undefined);
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ detail: expect.any(String), code: "UNAUTHORIZED" });
    const bad = await enricher("GET", "/api/schema/saved", "ent_your_key_here");
    expect(bad.status).toBe(401);
    expect(typeof bad.json.detail).toBe("string");
    const viewer = await createKey(org.adminKey, "viewer");
    expect((await enricher("GET", "/api/schema/saved", viewer.key)).status).toBe(200);
    const denied = await enricher("POST", "/api/schema/saved", viewer.key, SCHEMA_BODY);
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ detail: expect.any(String), code: "FORBIDDEN" });
  });

  it("names the bad field of a body in detail, snake_case as sent (400)", async () => {
    const org = await enricherOrg();
    const schemaId = await savedSchema(org.adminKey);
    const missing = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { schema_id: schemaId });
    expect(missing.status).toBe(400);
    expect(missing.json.detail).toMatch(/entity_data/);
    const unknown = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: moderna, schema_id: schemaId, schemaId });
    expect(unknown.json.detail).toMatch(/schemaId: Unknown field/);
    expect(unknown.json.detail).not.toMatch(/schema_id: Unknown/);
    const model = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: moderna, schema_id: schemaId, models: [CLAUDE, "nope::model"] });
    expect(model.status).toBe(400);
    expect(model.json).toMatchObject({ code: "VALIDATION_ERROR", detail: expect.stringMatching(/models\.1: No provider named 'nope'/) });
    const arbiter = await enricher("POST", "/api/enrichment/batch/start", org.adminKey, { entities: [moderna], schema_id: schemaId, models: [CLAUDE], arbitration_model: "nokey" });
    expect(arbiter.json.detail).toMatch(/arbitration_model: 'nokey' is not a model key/);
    const badJson = await enricher("POST", "/api/schema/saved", org.adminKey, { ...SCHEMA_BODY, json_schema: { type: "object", properties: { a: { type: "date" } } } });
    expect(badJson.status).toBe(400);
    expect(badJson.json.detail).toMatch(/json_schema/);
  });
});

describe("Entity Enricher: the document's workflow", () => {
  it("lists schemas, starts a single enrichment, streams it to completed and reads the record's structured_output", async () => {
    const org = await enricherOrg();
    await scriptAnswers(org.fakeId, { "*": { legalName: "Moderna, Inc." } });
    const schemaId = await savedSchema(org.adminKey);
    const schemas = await enricher("GET", "/api/schema/saved", org.adminKey);
    expect(schemas.status).toBe(200);
    expect(schemas.json.schemas[0]).toMatchObject({ id: schemaId, name: "Pharma company", entity_type: "company", json_schema: SCHEMA_BODY.json_schema, version: 1 });
    const started = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: moderna, schema_id: schemaId, models: [CLAUDE], strategy: "multi_expertise" });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ job_id: expect.any(String), status: "processing", strategy: "multi_expertise", models: ["anthropic::claude-sonnet-4-5-20250929"], schema_id: schemaId });
    const events = await streamOf(org.adminKey, started.json.job_id);
    for (const e of events) expect(e.json.event).toBe(e.json.type);
    expect(typesOf(events).at(-1)).toBe("completed");
    expect(typesOf(events)).toEqual(expect.arrayContaining(["model_started", "expertise_completed", "model_completed", "entity_started", "entity_completed"]));
    const done = events.find((e) => e.json.type === "model_completed")?.json;
    expect(done).toMatchObject({ record_id: expect.any(String), cost: expect.any(Number), success: true, entity_index: 0, job_id: started.json.job_id });
    expect(done?.result).toMatchObject({ legalName: "Moderna, Inc." });
    const expertise = events.filter((e) => e.json.type === "expertise_completed").map((e) => e.json.expertise_key);
    expect(expertise).toEqual(["history", "finance", "general"]);
    const record = await enricher("GET", `/api/records/${done?.record_id}`, org.adminKey);
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({ id: done?.record_id, type: "enrichment", job_id: started.json.job_id, structured_output: done?.result, model: "anthropic::claude-sonnet-4-5-20250929" });
    expect(record.json.prompts.length).toBe(3);
  });
});

describe("Entity Enricher: batches, records and fusion", () => {
  it("runs a batch with two models and an arbiter: per-entity events with entity_index, fusion events, records by page", async () => {
    const org = await enricherOrg();
    const schemaId = await savedSchema(org.adminKey);
    const started = await enricher("POST", "/api/enrichment/batch/start", org.adminKey, {
      entities: [
        { name: "Pfizer Inc", country: "US" },
        { name: "Roche", country: "CH" },
      ],
      schema_id: schemaId,
      models: [CLAUDE, GPT],
      strategy: "multi_expertise",
      arbitration_model: CLAUDE,
    });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ entity_count: 2, stream_url: `/api/llm/stream/${started.json.job_id}` });
    const events = await streamOf(org.adminKey, started.json.job_id);
    const at = (type: string) => events.filter((e) => e.json.type === type).map((e) => e.json.entity_index).sort();
    expect(at("entity_started")).toEqual([0, 1]);
    expect(at("entity_completed")).toEqual([0, 1]);
    expect(at("fusion_started")).toEqual([0, 1]);
    expect(at("model_completed")).toEqual([0, 0, 1, 1]);
    const fused = events.find((e) => e.json.type === "fusion_completed")?.json;
    expect(fused).toMatchObject({ event: "fusion_completed", success: true, record_id: expect.any(String), result: expect.objectContaining({ legalName: expect.any(String) }) });
    expect(events.find((e) => e.json.type === "entity_completed")?.json).toMatchObject({ status: "succeeded", fused_record_id: expect.any(String) });
    expect(typesOf(events).at(-1)).toBe("completed");
    // Ids increase: a client may resume with Last-Event-ID.
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const resumed = dataFrames((await call("GET", `/api/llm/stream/${started.json.job_id}`, { headers: { "x-api-key": org.adminKey, "last-event-id": String(ids.at(-3)) } })).text);
    expect(resumed.map((e) => e.id)).toEqual(events.slice(-2).map((e) => e.id));

    const page1 = await enricher("GET", `/api/records?type=enrichment&page_size=3&job_id=${started.json.job_id}`, org.adminKey);
    expect(page1.status).toBe(200);
    expect(page1.json).toMatchObject({ total: 4, page: 1, page_size: 3, total_pages: 2 });
    expect(page1.json.records).toHaveLength(3);
    const page2 = await enricher("GET", `/api/records?type=enrichment&page_size=3&page=2&job_id=${started.json.job_id}`, org.adminKey);
    expect(page2.json.records).toHaveLength(1);
    const all = [...page1.json.records, ...page2.json.records];
    expect(new Set(all.map((r) => r.id)).size).toBe(4);
    for (const r of all) expect(r).toMatchObject({ type: "enrichment", job_id: started.json.job_id, structured_output: expect.any(Object), cost: expect.any(Number) });
    expect(all[0]).not.toHaveProperty("prompts");
    const fusions = await enricher("GET", `/api/records?type=fusion&job_id=${started.json.job_id}`, org.adminKey);
    expect(fusions.json.total).toBe(2);
    const byModel = await enricher("GET", `/api/records?model=${encodeURIComponent("openai::gpt-4o")}&success=true`, org.adminKey);
    expect(byModel.json.records.map((r: { model: string }) => r.model)).toEqual(["openai::gpt-4o", "openai::gpt-4o"]);
    expect((await enricher("GET", "/api/records?page_size=500", org.adminKey)).json.detail).toMatch(/page_size/);
  });

  it("deletes up to 100 records by id, another organization's counting as not found", async () => {
    const org = await enricherOrg();
    const other = await enricherOrg();
    const schemaId = await savedSchema(org.adminKey);
    const started = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: moderna, schema_id: schemaId, models: [CLAUDE, GPT] });
    const events = await streamOf(org.adminKey, started.json.job_id);
    const ids = events.filter((e) => e.json.type === "model_completed").map((e) => e.json.record_id as string);
    const foreign = (await streamOf(other.adminKey, (await enricher("POST", "/api/single/enrich/stream", other.adminKey, { entity_data: moderna, schema_id: await savedSchema(other.adminKey), models: [CLAUDE] })).json.job_id)).find(
      (e) => e.json.type === "model_completed",
    )?.json.record_id;
    const res = await enricher("POST", "/api/records/batch-delete", org.adminKey, { record_ids: [...ids, foreign] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ deleted: ids, deleted_count: 2, not_found: [foreign] });
    expect((await enricher("GET", `/api/records/${ids[0]}`, org.adminKey)).status).toBe(404);
    expect((await enricher("GET", `/api/records/${foreign}`, other.adminKey)).status).toBe(200);
    const tooMany = await enricher("POST", "/api/records/batch-delete", org.adminKey, { record_ids: Array.from({ length: 101 }, (_, i) => `r${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.detail).toMatch(/record_ids: At most 100 records/);
  });

  it("merges two models' records by rule at once, or with an arbiter as a job to stream", async () => {
    const org = await enricherOrg();
    const schemaId = await savedSchema(org.adminKey);
    const started = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: moderna, schema_id: schemaId, models: [CLAUDE, GPT], strategy: "single_pass" });
    const events = await streamOf(org.adminKey, started.json.job_id);
    const ids = events.filter((e) => e.json.type === "model_completed").map((e) => e.json.record_id as string);
    const merged = await enricher("POST", "/api/fusion/merge", org.adminKey, { record_ids: ids });
    expect(merged.status).toBe(200);
    expect(merged.json).toMatchObject({ record_id: expect.any(String), structured_output: expect.objectContaining({ legalName: expect.any(String) }), conflict_report: { total_fields: expect.any(Number) } });
    expect(merged.json.record).toMatchObject({ type: "fusion", source_record_ids: expect.arrayContaining(ids), credits: 0 });
    const arbitrated = await enricher("POST", "/api/fusion/merge", org.adminKey, { record_ids: ids, arbitration_model: CLAUDE });
    expect(arbitrated.status).toBe(200);
    expect(arbitrated.json).toMatchObject({ job_id: expect.any(String), arbitration_model: "anthropic::claude-sonnet-4-5-20250929" });
    const fusion = await streamOf(org.adminKey, arbitrated.json.job_id);
    expect(typesOf(fusion)).toEqual(expect.arrayContaining(["fusion_started", "fusion_completed", "completed"]));
    expect(fusion.find((e) => e.json.type === "fusion_completed")?.json.result).toEqual(merged.json.structured_output);
    const other = await createOrg();
    const foreign = await enricher("POST", "/api/fusion/merge", other.adminKey, { record_ids: ids });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toMatchObject({ code: "NOT_FOUND", detail: expect.stringMatching(/record_ids\.0/) });
    expect((await enricher("POST", "/api/fusion/merge", org.adminKey, { record_ids: [ids[0]] })).json.detail).toMatch(/record_ids/);
  });
});

describe("Entity Enricher: jobs", () => {
  const mismatch = { status: "mismatch", confidence: 0.9, entityDescription: "A river", reasoning: "Not a company", alternativeInterpretations: [] };

  async function pausedJob() {
    const org = await enricherOrg();
    await scriptAnswers(org.fakeId, { judge: mismatch });
    const schemaId = await savedSchema(org.adminKey);
    const res = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: { name: "The Nile" }, schema_id: schemaId, models: ["fake::alpha"], classification_model: "fake::judge" });
    expect(res.status).toBe(200);
    await waitForJob(org.adminKey, res.json.job_id, ["paused"]);
    return { org, jobId: res.json.job_id as string };
  }

  it("continues a job paused on a classification mismatch, then it completes", async () => {
    const { org, jobId } = await pausedJob();
    const continued = await enricher("POST", `/api/llm/continue/${jobId}`, org.adminKey, { decision: "proceed" });
    expect(continued.status).toBe(200);
    expect(continued.json).toMatchObject({ job_id: jobId, status: "processing" });
    const events = await streamOf(org.adminKey, jobId);
    expect(typesOf(events)).toEqual(expect.arrayContaining(["classification_mismatch_pause", "job_paused", "job_resumed", "model_completed", "completed"]));
    const again = await enricher("POST", `/api/llm/continue/${jobId}`, org.adminKey);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: "CONFLICT", detail: expect.stringContaining("Cannot continue") });
  });

  it("cancels a paused job; a second cancel is 409; another organization's job is 404 like an unknown one", async () => {
    const { org, jobId } = await pausedJob();
    const other = await createOrg();
    for (const [method, path] of [
      ["GET", `/api/llm/stream/${jobId}`],
      ["POST", `/api/llm/cancel/${jobId}`],
      ["POST", `/api/llm/continue/${jobId}`],
    ] as const) {
      const foreign = await enricher(method, path, other.adminKey);
      const unknown = await enricher(method, path.replace(jobId, crypto.randomUUID()), org.adminKey);
      expect(foreign.status, path).toBe(404);
      expect(foreign.text).toBe(unknown.text);
      expect(foreign.json.detail).toEqual(expect.any(String));
    }
    const cancelled = await enricher("POST", `/api/llm/cancel/${jobId}`, org.adminKey);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ job_id: jobId, status: "cancelled" });
    expect((await enricher("POST", `/api/llm/cancel/${jobId}`, org.adminKey)).status).toBe(409);
    const events = await streamOf(org.adminKey, jobId);
    expect(typesOf(events).slice(-2)).toEqual(["job_cancelled", "completed"]);
  });

  it("sends an error event before completed when a job fails", async () => {
    const org = await enricherOrg({ spec: "fail=quota" });
    const schemaId = await savedSchema(org.adminKey);
    const res = await enricher("POST", "/api/single/enrich/stream", org.adminKey, { entity_data: moderna, schema_id: schemaId, models: [CLAUDE] });
    const events = await streamOf(org.adminKey, res.json.job_id);
    expect(typesOf(events).slice(-3)).toEqual(["job_failed", "error", "completed"]);
    expect(events.find((e) => e.json.type === "model_completed")?.json).toMatchObject({ success: false, result: null, error: { code: "LLM_QUOTA_EXHAUSTED" } });
  });
});

describe("Entity Enricher: schemas and sources", () => {
  it("generates a schema from sample data as an event stream, then edits it with a prompt as another", async () => {
    const org = await enricherOrg();
    await scriptAnswers(org.fakeId, {
      alpha: {
        name: "Biotech companies",
        description: "Drug makers",
        entityType: "company",
        expertiseDomains: [{ key: "finance", name: "Finance", description: "Money" }],
        properties: [
          { path: "name", type: null, description: "Legal name", expertise: null, identifying: true, multilingual: false },
          { path: "revenue", type: null, description: "Revenue", expertise: "finance", identifying: false, multilingual: false },
        ],
      },
      beta: {
        operations: [
          {
            op: "add_property",
            path: "employees",
            to: null,
            type: "integer",
            description: "Head count",
            format: null,
            enum: null,
            expertise: "finance",
            identifying: null,
            multilingual: null,
            required: null,
            key: null,
            name: null,
            text: null,
          },
        ],
        summary: "Adds employees",
      },
    });
    const res = await enricher("POST", "/api/schema/generate/stream", org.adminKey, { sample_data: { name: "Moderna", revenue: 6.8 }, model: "fake::alpha" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = dataFrames(res.text);
    expect(typesOf(events)).toEqual(["job_started", "schema_draft_inferred", "entity_started", "model_started", "model_completed", "schema_saved", "entity_completed", "job_completed", "completed"]);
    for (const e of events) expect(e.json.event).toBe(e.json.type);
    const saved = events.find((e) => e.json.type === "schema_saved")?.json;
    expect(saved).toMatchObject({ schema_id: expect.any(String), version: 1 });
    const listed = await enricher("GET", "/api/schema/saved", org.adminKey);
    expect(listed.json.schemas[0]).toMatchObject({ id: saved?.schema_id, name: "Biotech companies", expertise_domains: { finance: { name: "Finance" } } });

    const edit = await enricher("POST", `/api/schema/saved/${saved?.schema_id}/prompt/stream`, org.adminKey, { prompt: "Add the head count", model: "fake::beta" });
    expect(edit.status).toBe(200);
    const edited = dataFrames(edit.text);
    expect(edited.find((e) => e.json.type === "schema_edit_applied")?.json).toMatchObject({ schema_id: saved?.schema_id, version: 2 });
    expect(typesOf(edited).at(-1)).toBe("completed");
    expect(Object.keys((await enricher("GET", "/api/schema/saved", org.adminKey)).json.schemas[0].json_schema.properties)).toContain("employees");
    const other = await createOrg();
    expect((await enricher("POST", `/api/schema/saved/${saved?.schema_id}/prompt/stream`, other.adminKey, { prompt: "x" })).status).toBe(404);
    const empty = await enricher("POST", "/api/schema/generate/stream", org.adminKey, { model: "fake::alpha" });
    expect(empty.status).toBe(400);
    expect(empty.json.detail).toMatch(/sample_data/);
  });

  it("lists models, languages and strategies; fetches entities from a URL", async () => {
    const org = await enricherOrg();
    const options = await enricher("GET", "/api/enrichment/options", org.adminKey);
    expect(options.status).toBe(200);
    expect(options.json.models.find((m: { key: string }) => m.key === "anthropic::claude-sonnet-4-5-20250929")).toMatchObject({ provider: "anthropic", available: true, display_name: expect.any(String) });
    expect(options.json.strategies.map((s: { name: string }) => s.name)).toEqual(["auto", "single_pass", "multi_expertise"]);
    expect(options.json.languages).toContainEqual({ code: "en", name: "English" });
    const { env } = await import("cloudflare:workers");
    const fetched = await enricher("POST", "/api/enrichment/batch/fetch", org.adminKey, { url: `${env.FAKE_PROVIDER_URL}/entity-source/wrapped`, data_path: "data.items" });
    expect(fetched.status).toBe(200);
    expect(fetched.json).toMatchObject({ total: 2, entities: [{ name: "Company 0" }, { name: "Company 1" }], fetch_time_ms: expect.any(Number) });
    const object = await enricher("POST", "/api/enrichment/batch/fetch", org.adminKey, { url: `${env.FAKE_PROVIDER_URL}/entity-source/object` });
    expect(object.status).toBe(422);
    expect(object.json.detail).toEqual(expect.any(String));
    const keyed = await enricher("POST", "/api/enrichment/batch/fetch", org.adminKey, { url: `${env.FAKE_PROVIDER_URL}/entity-source/auth/key`, auth: { type: "api_key", header: "X-Export-Key", value: "k3y" } });
    expect(keyed.json.total).toBe(1);
  });
});

describe("Entity Enricher: errors before the route runs", () => {
  it("answers a body nested too deep and one too large in {detail} too", async () => {
    const org = await createOrg();
    let deep: unknown = "x";
    for (let i = 0; i < 100; i++) deep = { a: deep };
    const nested = await enricher("POST", "/api/schema/saved", org.adminKey, { ...SCHEMA_BODY, json_schema: deep });
    expect(nested.status).toBe(400);
    expect(nested.json).toMatchObject({ code: "VALIDATION_ERROR", detail: expect.stringMatching(/^Request body: Nested more than 32 levels deep: json_schema\.a\.a/) });
    const large = await enricher("POST", "/api/enrichment/batch/start", org.adminKey, { entities: [{ name: "x".repeat(1_100_000) }], schema_id: "s" });
    expect(large.status).toBe(413);
    expect(large.json).toMatchObject({ code: "PAYLOAD_TOO_LARGE", detail: expect.any(String) });
    // Dossier's own routes keep Dossier's shape.
    expect((await call("POST", "/v1/llm/schemas", { key: org.adminKey, body: { name: "x", jsonSchema: deep } })).json.error.code).toBe("VALIDATION_ERROR");
  });
});
