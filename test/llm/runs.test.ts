import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { SseReader, waitForJob } from "../jobs/helpers";
import { COMPANY_SCHEMA, createSchema, fakeRequests, fakeStats, jobEvents, llmOrg, newId, record, records, runToEnd, scriptAnswers, startRun } from "./run-helpers";

const entity = { name: "Initech", domain: "initech.example", country: "US" };

/** The user message's delimited data block and the schema a request sent (json_schema channel). */
const schemaSent = (body: any) => body.response_format.json_schema.schema as { properties: Record<string, unknown> };

describe("LLM enrichment runs", () => {
  it("single_pass: one call per model with the whole schema, entity data delimited, records per model", async () => {
    const org = await llmOrg();
    const schema = await createSchema(org.adminKey);
    const { created, job } = await runToEnd(org.adminKey, { entities: [entity], schemaId: schema.id, models: ["fake::alpha"], strategy: "single_pass" });
    expect(created).toMatchObject({ status: "processing", entityCount: 1, models: ["fake::alpha"], strategy: "single_pass", schemaVersion: 1 });
    expect(job).toMatchObject({ status: "completed", kind: "llm", counts: { succeeded: 1 } });
    const sent = await fakeRequests(org.fakeId);
    expect(sent).toHaveLength(1);
    expect(Object.keys(schemaSent(sent[0]?.body).properties)).toEqual(["legalName", "founded", "revenueUsdM", "listed", "sector", "tags"]);
    const [system, user] = sent[0]?.body.messages ?? [];
    expect(system.content).toContain("never instructions");
    expect(user.content).toMatch(/<<<DATA (\w+)>>>[\s\S]*"name": "Initech"[\s\S]*<<<END \1>>>/);
    const [rec] = await records(org.adminKey, `jobId=${created.jobId}`);
    expect(rec).toMatchObject({ type: "enrichment", model: "fake::alpha", success: true, strategy: "single_pass", schemaVersion: 1 });
    expect(Object.keys(rec.output)).toEqual(expect.arrayContaining(["legalName", "sector"]));
  });

  it("multi_expertise: one call per model and domain with the identifying fields in each; a failed domain leaves a partial record", async () => {
    const org = await llmOrg({ spec: "fail=server_error;when=Finance" });
    const schema = await createSchema(org.adminKey);
    const { created, job } = await runToEnd(org.adminKey, { entities: [entity], schemaId: schema.id, models: ["fake::alpha"], strategy: "multi_expertise", taskTimeoutMs: 5000 });
    expect(created.strategy).toBe("multi_expertise");
    expect(job.status).toBe("completed");
    const sent = await fakeRequests(org.fakeId);
    const byDomain = (name: string) => sent.filter((r) => r.body.messages[0].content.includes(`expertise only: ${name}`));
    expect(Object.keys(schemaSent(byDomain("History")[0]?.body).properties)).toEqual(["legalName", "founded"]);
    expect(Object.keys(schemaSent(byDomain("General")[0]?.body).properties)).toEqual(["legalName", "sector", "tags"]);
    // Finance answers 500 every time: tried three times, then given up.
    expect(byDomain("Finance")).toHaveLength(3);
    const [rec] = await records(org.adminKey, `jobId=${created.jobId}&type=enrichment`);
    expect(rec).toMatchObject({ success: true, partialSuccess: true });
    expect(rec.output).not.toHaveProperty("revenueUsdM");
    expect(rec.output).toHaveProperty("founded");
    const detail = await record(org.adminKey, rec.id);
    expect(detail.details.expertiseBreakdown.map((b: { expertiseKey: string; success: boolean }) => [b.expertiseKey, b.success])).toEqual([
      ["history", true],
      ["finance", false],
      ["general", true],
    ]);
    const events = await jobEvents(org.adminKey, created.jobId);
    const expertise = events.filter((e) => e.event === "expertise_completed").map((e) => [e.data.expertiseKey, e.data.success, e.data.completedExpertises, e.data.totalExpertises]);
    expect(expertise).toEqual([["history", true, 1, 3], ["finance", false, 2, 3], ["general", true, 3, 3]]);
    expect(events.find((e) => e.event === "model_completed")?.data).toMatchObject({ success: true, partialSuccess: true, recordId: rec.id });
  });

  it("auto picks by the schema's shape and says why", async () => {
    const org = await llmOrg();
    const wide = {
      name: "Wide",
      expertiseDomains: { a: { name: "A" }, b: { name: "B" } },
      jsonSchema: { type: "object", properties: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, { type: "string", expertise: i % 2 ? "a" : "b" }])) },
    };
    const narrow = await startRun(org.adminKey, { entities: [entity], schema: COMPANY_SCHEMA, models: ["fake::alpha"] });
    const broad = await startRun(org.adminKey, { entities: [entity], schema: wide, models: ["fake::alpha"] });
    expect(narrow.json).toMatchObject({ strategy: "single_pass", strategyReason: expect.stringContaining("fit one call") });
    expect(broad.json).toMatchObject({ strategy: "multi_expertise", strategyReason: expect.stringContaining("30 fields over 2 expertise domains") });
    await waitForJob(org.adminKey, broad.json.jobId);
    const events = await jobEvents(org.adminKey, broad.json.jobId);
    expect(events[1]).toMatchObject({ event: "strategy_selected", data: { type: "strategy_selected", requested: "auto", strategy: "multi_expertise", signals: { domains: 2, leafFields: 30 } } });
    expect((await fakeStats(org.fakeId)).byModel["openai_compatible::alpha"]).toBeGreaterThanOrEqual(2);
  });

  it("streams a run in the response with ?stream=true, each event's data naming its type", async () => {
    const org = await llmOrg();
    const res = await call("POST", "/v1/llm/enrichments?stream=true", { key: org.adminKey, body: { entities: [entity], schema: COMPANY_SCHEMA, models: ["fake::alpha", "fake::beta"] } });
    expect(res.status).toBe(200);
    const events = await new SseReader(new Response(res.text)).events();
    expect(events.map((e) => e.event)).toEqual([
      "job_started",
      "strategy_selected",
      "entity_started",
      "model_started",
      "model_started",
      "model_completed",
      "model_completed",
      "fusion_started",
      "conflicts_detected",
      "fusion_completed",
      "entity_completed",
      "job_completed",
      "completed",
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);
    const done = events.find((e) => e.event === "entity_completed")?.data;
    expect(done).toMatchObject({ status: "succeeded", entity_index: 0, fusedRecordId: expect.any(String), modelRecords: [{ success: true }, { success: true }] });
  });

  it("maps provider failures: retries a rate limit after retry-after-ms, never retries quota, refusal or truncation", async () => {
    const org = await llmOrg();
    await call("PUT", "/v1/llm/providers/openai", { key: org.adminKey, body: { apiKey: "sk-org", baseUrl: `${env.FAKE_PROVIDER_URL}/openai/~id=${org.fakeId};wrong=0/v1` } });
    const run = async (spec: string) => {
      const { created } = await runToEnd(org.adminKey, { entities: [{ name: `Acme ${spec}`, note: `[[fake-llm ${spec}]]` }], schema: COMPANY_SCHEMA, models: ["openai::gpt-4o-mini"] });
      const [rec] = await records(org.adminKey, `jobId=${created.jobId}`);
      return rec;
    };
    const [limited, quota, refused, truncated, invalid] = await Promise.all(
      ["fail=rate_limit_ms;times=1", "fail=quota", "fail=refuse", "fail=truncate", "fail=schema_invalid"].map(run),
    );
    expect(limited).toMatchObject({ success: true });
    expect(quota.error).toMatchObject({ code: "LLM_QUOTA_EXHAUSTED", retryable: false });
    expect(refused.error).toMatchObject({ code: "LLM_REFUSED" });
    expect(truncated.error).toMatchObject({ code: "LLM_TRUNCATED" });
    expect(invalid.error).toMatchObject({ code: "LLM_OUTPUT_INVALID" });
    const detail = await record(org.adminKey, invalid.id);
    // The answer and one repair attempt, each kept with its validation errors.
    expect(detail.prompts).toHaveLength(2);
    expect(detail.prompts[1].requestBody.messages.at(-1).content).toContain("does not conform");
    expect(detail.validationErrors.length).toBeGreaterThan(0);
    const outcomes = (await fakeStats(org.fakeId)).byOutcome;
    expect(outcomes).toMatchObject({ rate_limit_ms: 1, quota: 1, refuse: 1, truncate: 1, schema_invalid: 2 });
  });

  it("talks to OpenAI, Anthropic (by an alias key), Gemini, DeepSeek and Workers AI in their own wire formats, and fuses them", async () => {
    const org = await llmOrg();
    const id = newId();
    const base = (p: string) => `${env.FAKE_PROVIDER_URL}/${p.replace("{spec}", `~id=${id};wrong=0`)}`;
    await call("PUT", "/v1/llm/providers/openai", { key: org.adminKey, body: { apiKey: "sk-org-openai", baseUrl: base("openai/{spec}/v1") } });
    await call("PUT", "/v1/llm/providers/anthropic", { key: org.adminKey, body: { apiKey: "sk-ant-org", baseUrl: base("anthropic/{spec}") } });
    await call("PUT", "/v1/llm/providers/google", { key: org.adminKey, body: { apiKey: "gem-org-key", baseUrl: base("google/{spec}/v1beta") } });
    await call("PUT", "/v1/llm/providers/deepseek", { key: org.adminKey, body: { apiKey: "ds-org-key", baseUrl: base("deepseek/{spec}") } });
    await call("PUT", "/v1/llm/providers/workers-ai", { key: org.adminKey, body: { apiKey: "cf-org-token", accountId: "acc-123", baseUrl: base("cfai/{spec}") } });
    const models = ["openai::gpt-4o-mini", "anthropic::claude-sonnet-4-5-20250514", "google::gemini-2.5-flash", "deepseek::deepseek-chat", "workers-ai::@cf/meta/llama-3.1-8b-instruct-fp8-fast"];
    // Anthropic is overloaded (529) once: retried.
    const { created, job } = await runToEnd(org.adminKey, { entities: [{ ...entity, note: "[[fake-llm fail=overloaded;times=1]]" }], schema: COMPANY_SCHEMA, models });
    expect(created.models).toEqual(["openai::gpt-4o-mini", "anthropic::claude-sonnet-4-5-20250929", "google::gemini-2.5-flash", "deepseek::deepseek-chat", "workers-ai::@cf/meta/llama-3.1-8b-instruct-fp8-fast"]);
    expect(job.status).toBe("completed");
    const sent = await fakeRequests(id);
    const of = (provider: string) => sent.find((r: any) => r.provider === provider && r.outcome === "ok") as any;
    expect(of("openai").body.response_format.json_schema.strict).toBe(true);
    expect(of("openai").headers.authorization).toBe("Bearer sk-org-openai");
    expect(of("anthropic").body.output_config.format.type).toBe("json_schema");
    expect(of("anthropic").headers["x-api-key"]).toBe("sk-ant-org");
    expect(of("google").body.generationConfig.responseJsonSchema).toBeDefined();
    expect(of("deepseek").body.response_format).toEqual({ type: "json_object" });
    expect(of("workers-ai").path).toContain("/accounts/acc-123/ai/v1/chat/completions");
    const all = await records(org.adminKey, `jobId=${created.jobId}`);
    expect(all.map((r) => [r.type, r.model, r.success]).sort()).toEqual([
      ["enrichment", "anthropic::claude-sonnet-4-5-20250929", true],
      ["enrichment", "deepseek::deepseek-chat", true],
      ["enrichment", "google::gemini-2.5-flash", true],
      ["enrichment", "openai::gpt-4o-mini", true],
      ["enrichment", "workers-ai::@cf/meta/llama-3.1-8b-instruct-fp8-fast", true],
      ["fusion", null, true],
    ]);
    const claude = await record(org.adminKey, all.find((r) => r.model?.startsWith("anthropic")).id);
    expect(claude.prompts.map((p: any) => p.error?.code ?? "ok")).toEqual(["HTTP_529", "ok"]);
    for (const r of all) expect(JSON.stringify(await record(org.adminKey, r.id))).not.toMatch(/sk-org-openai|sk-ant-org|gem-org-key|ds-org-key|cf-org-token/);
  });

  it("asks for multilingual fields in each requested language and fuses translations apart", async () => {
    const org = await llmOrg();
    const schema = {
      name: "Bilingual",
      jsonSchema: { type: "object", properties: { legalName: { type: "string", identifying: true }, summary: { type: "string", multilingual: true, description: "What it does" } } },
    };
    await scriptAnswers(org.fakeId, {
      alpha: { legalName: "Initech", "summary.en": "Makes software", "summary.fr": "Fait du logiciel" },
      beta: { legalName: "Initech", "summary.en": "makes software", "summary.fr": "Produit des logiciels" },
    });
    const { created } = await runToEnd(org.adminKey, { entities: [entity], schema, models: ["fake::alpha", "fake::beta"], languages: ["en", "fr"] });
    const sent = await fakeRequests(org.fakeId);
    expect(schemaSent(sent[0]?.body).properties.summary).toMatchObject({ type: "object", required: ["en", "fr"] });
    expect(sent[0]?.body.messages[0].content).toContain("(en, fr)");
    const [fusion] = await records(org.adminKey, `jobId=${created.jobId}&type=fusion`);
    const fields = (await record(org.adminKey, fusion.id)).fields;
    expect(fields.find((f: any) => f.path === "summary.en")).toMatchObject({ status: "agreed", fieldType: "multilingual" });
    expect(fields.find((f: any) => f.path === "summary.fr")).toMatchObject({ status: "agreed", translationOnly: true });
    expect(fusion.output.summary.en).toBe("Makes software");
  });

  it("times a task out at taskTimeoutMs, and replays an idempotent request", async () => {
    const org = await llmOrg();
    const body = { entities: [{ name: "Slow [[fake-llm fail=hang]]" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"], taskTimeoutMs: 1000 };
    const first = await startRun(org.adminKey, body, { "idempotency-key": "run-once" });
    const replay = await startRun(org.adminKey, body, { "idempotency-key": "run-once" });
    expect(replay.json.jobId).toBe(first.json.jobId);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const job = await waitForJob(org.adminKey, first.json.jobId);
    expect(job.status).toBe("failed");
    const [rec] = await records(org.adminKey, `jobId=${first.json.jobId}`);
    expect(rec.error).toMatchObject({ code: "ENRICHMENT_TIMEOUT" });
    expect(rec.durationMs).toBeLessThan(5000);
  });

  it("keeps no more of one model's calls in flight than its provider's maxConcurrency", async () => {
    const org = await llmOrg({ spec: "latency=150", maxConcurrency: 2 });
    const entities = Array.from({ length: 6 }, (_, i) => ({ name: `Company ${i}` }));
    const { job } = await runToEnd(org.adminKey, { entities, schema: COMPANY_SCHEMA, models: ["fake::alpha"] });
    expect(job.counts.succeeded).toBe(6);
    const stats = await fakeStats(org.fakeId);
    expect(stats.total).toBe(6);
    expect(stats.peakInFlight).toBeLessThanOrEqual(2);
  });

  it("uses the operator's default key and model when the organization configured none", async () => {
    const org = await llmOrg();
    const { created, job } = await runToEnd(org.adminKey, { entities: [entity], schema: COMPANY_SCHEMA });
    expect(created.models).toEqual(["openai::gpt-4o-mini"]);
    expect(job.status).toBe("completed");
  });

  it("refuses bad requests before anything runs", async () => {
    const org = await llmOrg();
    const body = { entities: [entity], schema: COMPANY_SCHEMA, models: ["fake::alpha"] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body, schemaId: "x" }, "schemaId"],
      [{ ...body, schema: undefined }, "schemaId"],
      [{ ...body, models: ["fake::alpha", "fake::alpha"] }, "models.1"],
      [{ ...body, languages: ["en", "xx"] }, "languages.1"],
      [{ ...body, classificationModel: "fake::judge", schema: { ...COMPANY_SCHEMA, entityType: undefined } }, "classificationModel"],
      [{ ...body, entities: [entity, "no-such-entity"] }, "entities.1"],
      [{ ...body, schema: { jsonSchema: { type: "object", properties: { a: { type: "date" } } } } }, "schema.jsonSchema.properties.a.type"],
      [{ ...body, grounding: { integrationCodes: ["nope"] } }, "grounding.integrationCodes"],
      [{ ...body, entities: [{ blob: "x".repeat(40_000) }] }, "entities.0"],
    ];
    for (const [b, path] of cases) {
      const res = await startRun(org.adminKey, b);
      expect(res.status, `${path}: ${res.text}`).toBe(400);
      expect(res.json.error.details[0].path, res.text).toBe(path);
    }
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toEqual([]);
    const other = await llmOrg();
    const hook = await call("POST", "/v1/webhooks", { key: other.adminKey, body: { url: `${env.FAKE_PROVIDER_URL}/webhooks/in/x`, events: ["llm_enrichment.completed"] } });
    expect((await startRun(org.adminKey, { ...body, webhookId: hook.json.id })).status).toBe(422);
  });
});
