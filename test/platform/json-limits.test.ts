import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { detailPaths, expectError, newEntity } from "../tenancy/support";

/** JSON text nested `depth` objects deep under `key` (or arrays, with `key` null), built as text so nothing recurses here. */
const nested = (depth: number, key: string | null = "a") =>
  key === null ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${`{"${key}":`.repeat(depth)}1${"}".repeat(depth)}`;

const json = { "content-type": "application/json" };

/** The path the edge check names: `prefix` and then `key` until the 33rd level of the body. */
const deepPath = (prefix: string[], key: string | number = "a") => [...prefix, ...Array(32 - prefix.length).fill(String(key))].join(".");

function expectTooDeep(res: { status: number; json: any; text: string }, path: string) {
  const error = expectError(res, 400, "VALIDATION_ERROR");
  expect(error.details).toEqual([{ path, message: "Nested more than 32 levels deep", code: "too_deep" }]);
  expect(res.text.length).toBeLessThan(1000);
}

describe("free-form JSON has one limit, checked at the edge", () => {
  it("refuses a 10,000-deep integration config with 400 naming the path, and stores nothing", async () => {
    const org = await createOrg();
    const res = await call("PUT", "/v1/integrations/phone_normalize", { key: org.adminKey, rawBody: `{"config":${nested(10_000)}}`, headers: json });
    expectTooDeep(res, deepPath(["config"]));
    const list = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(list.status).toBe(200);
    expect(list.json.data.find((i: { code: string }) => i.code === "phone_normalize").config).toEqual({});
  });

  it("refuses a 5,000-deep custom integration bodyTemplate, in objects or in arrays", async () => {
    const org = await createOrg();
    const definition = JSON.stringify({
      code: "custom_deep",
      name: "Deep",
      entityTypes: ["person"],
      method: "POST",
      urlTemplate: "https://crm.example.com/people",
      mapping: { jobTitle: "$.title" },
    }).slice(0, -1);
    const objects = await call("POST", "/v1/integrations/custom", { key: org.adminKey, rawBody: `${definition},"bodyTemplate":${nested(5000)}}`, headers: json });
    expectTooDeep(objects, deepPath(["bodyTemplate"]));
    const arrays = await call("POST", "/v1/integrations/custom", { key: org.adminKey, rawBody: `${definition},"bodyTemplate":${nested(5000, null)}}`, headers: json });
    expectTooDeep(arrays, deepPath(["bodyTemplate"], 0));
  });

  it("refuses 5,000-deep job params, in a JSON body and in a CSV upload's query string", async () => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: { phone: "+16502530000" } });
    const body = `{"entities":["${entity.id}"],"integrationCodes":["phone_normalize"],"params":{"x":${nested(5000, null)}}}`;
    expectTooDeep(await call("POST", "/v1/jobs", { key: org.adminKey, rawBody: body, headers: json }), deepPath(["params", "x"], 0));

    const csv = await call("POST", `/v1/jobs?type=person&integrationCodes=phone_normalize&params=${encodeURIComponent(`{"x":${nested(3000, null)}}`)}`, {
      key: org.adminKey,
      rawBody: "phone\n+16502530000\n",
      headers: { "content-type": "text/csv" },
    });
    const error = expectError(csv, 400, "VALIDATION_ERROR");
    expect(error.details[0]).toMatchObject({ path: ["params", "x", ...Array(31).fill("0")].join("."), code: "too_deep" });
    const jobs = await call("GET", "/v1/jobs", { key: org.adminKey });
    expect(jobs.json.data).toHaveLength(0);
  });

  it("refuses deep custom attributes and deep enrichment params", async () => {
    const org = await createOrg();
    const created = await call("POST", "/v1/entities", {
      key: org.adminKey,
      rawBody: `{"type":"person","attributes":{"custom":{"tier":${nested(5000)}}}}`,
      headers: json,
    });
    expectTooDeep(created, deepPath(["attributes", "custom", "tier"]));

    const entity = await newEntity(org.adminKey, { type: "person", attributes: { phone: "+16502530000" } });
    const enriched = await call("POST", `/v1/entities/${entity.id}/enrichments`, {
      key: org.adminKey,
      rawBody: `{"integrationCodes":["phone_normalize"],"params":${nested(5000)}}`,
      headers: json,
    });
    expectTooDeep(enriched, deepPath(["params"]));
    const patched = await call("PATCH", `/v1/entities/${entity.id}`, { key: org.adminKey, rawBody: `{"attributes":${nested(100_000, null)}}`, headers: json });
    expectTooDeep(patched, deepPath(["attributes"], 0));
  });

  it("takes a body exactly at the limit, and a free-form field within it, and refuses one level more", async () => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: { phone: "+16502530000" } });
    // The body is level 1, params level 2: 30 more objects under params make 32 levels.
    const atLimit = await call("POST", `/v1/entities/${entity.id}/enrichments`, {
      key: org.adminKey,
      rawBody: `{"integrationCodes":["phone_normalize"],"params":{"x":${nested(30)}}}`,
      headers: json,
    });
    expect(atLimit.status, atLimit.text).toBe(200);
    const over = await call("POST", `/v1/entities/${entity.id}/enrichments`, {
      key: org.adminKey,
      rawBody: `{"integrationCodes":["phone_normalize"],"params":{"x":${nested(31)}}}`,
      headers: json,
    });
    expectTooDeep(over, deepPath(["params", "x"]));
  });

  it("limits a free-form field's size with a 400 naming the field", async () => {
    const org = await createOrg();
    const big = { blob: "x".repeat(20_000) };
    const put = await call("PUT", "/v1/integrations/phone_normalize", { key: org.adminKey, body: { config: big } });
    const error = expectError(put, 400, "VALIDATION_ERROR");
    expect(error.details).toEqual([{ path: "config", message: expect.stringMatching(/^At most 16384 bytes of JSON/), code: "custom" }]);
    const entity = await newEntity(org.adminKey, { type: "person", attributes: { phone: "+16502530000" } });
    const enrich = await call("POST", `/v1/entities/${entity.id}/enrichments`, { key: org.adminKey, body: { integrationCodes: ["phone_normalize"], params: big } });
    expect(detailPaths(enrich)).toEqual(["params"]);
  });

  it("presents an integration config that was stored too deep before the limit, instead of failing the whole catalog", async () => {
    const org = await createOrg();
    const config = `{"baseUrl":"${env.FAKE_PROVIDER_URL}","extra":${nested(10_000)},"__credentialNames":[]}`;
    await env.DB.prepare("INSERT INTO integration_settings (org_id, code, enabled, config, credentials_encrypted, updated_at) VALUES (?, 'http_lookup', 1, ?, NULL, ?)")
      .bind(org.orgId, config, new Date().toISOString())
      .run();
    const list = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(list.status, list.text.slice(0, 300)).toBe(200);
    const presented = list.json.data.find((i: { code: string }) => i.code === "http_lookup").config;
    expect(presented.baseUrl).toBe(env.FAKE_PROVIDER_URL);
    let level = presented.extra;
    // config is level 1 and extra level 2: levels 3 to 32 are kept, the 33rd is cut.
    for (let i = 0; i < 31; i++) level = level.a;
    expect(level).toBe("[nested too deep]");

    // It still runs (the integration reads only what its schema knows), and saving a new config replaces it.
    const entity = await newEntity(org.adminKey, { type: "person", attributes: { email: "ada@example.com" } });
    const run = await call("POST", `/v1/entities/${entity.id}/enrichments`, { key: org.adminKey, body: { integrationCodes: ["http_lookup"] } });
    expect(run.status, run.text).toBe(200);
    expect(run.json.results[0]).toMatchObject({ success: true, integrationCode: "http_lookup" });
    const put = await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { config: { baseUrl: `${env.FAKE_PROVIDER_URL}/` } } });
    expect(put.status, put.text).toBe(200);
    expect(put.json.config).toEqual({ baseUrl: `${env.FAKE_PROVIDER_URL}/` });
  });
});

describe("a provider's answer has the same limit", () => {
  it("fails a run whose answer is nested too deep as SYSTEM, keeps it out of the entity, and every read still answers", async () => {
    const org = await createOrg();
    const put = await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL } } });
    expect(put.status, put.text).toBe(200);
    const entity = await newEntity(org.adminKey, { type: "person", attributes: { email: "ada@example.com" } });
    const res = await call("POST", `/v1/entities/${entity.id}/enrichments`, {
      key: org.adminKey,
      body: { integrationCodes: ["http_lookup"], params: { scenario: `id=${crypto.randomUUID()};http_lookup=deep` } },
    });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.json.results[0]).toMatchObject({ success: false, credits: 0, error: { code: "SYSTEM", category: "system", retryable: false } });
    expect(res.json.results[0].error.message).toMatch(/nested more than 32 levels deep \(at enrichmentData\.extra(\.0){30}\)/);
    const read = await call("GET", `/v1/entities/${entity.id}`, { key: org.adminKey });
    expect(read.json.enriched).toEqual({});
    expect((await call("GET", `/v1/entities/${entity.id}/enrichments`, { key: org.adminKey })).status).toBe(200);
  });
});

describe("error details stay small", () => {
  it("answers 40,000 unknown attribute names with the first 50 and a count of the rest", async () => {
    const org = await createOrg();
    const attributes = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`unknownAttribute${i}`, 1]));
    const res = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes } });
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details).toHaveLength(51);
    expect(error.details[0]).toEqual({ path: "attributes.unknownAttribute0", message: "Unknown field 'unknownAttribute0'", code: "unrecognized_keys" });
    expect(error.details[50]).toEqual({ path: "", message: "39950 more problems not listed", code: "truncated", omitted: 39_950 });
    expect(res.text.length).toBeLessThan(10_000);
  });

  it("cuts a huge field name in the details", async () => {
    const org = await createOrg();
    const name = "k".repeat(300_000);
    const res = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes: { [name]: 1 } } });
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details[0].path).toBe(`attributes.${"k".repeat(189)}…`);
    expect(res.text.length).toBeLessThan(2000);
  });
});
