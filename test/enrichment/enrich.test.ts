import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey } from "../helpers/api";
import { enrich, lookupCalls, lookupOrg, person, scenario } from "../helpers/enrichment";

describe("POST /v1/entities/:id/enrichments", () => {
  it("runs integrations in parallel and answers every result with provenance and totals", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const s = scenario();
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: s } });
    expect(res.status).toBe(200);
    expect(res.json.success).toBe(true);
    expect(res.json.entityId).toBe(id);
    expect(res.json.results.map((r: { integrationCode: string }) => r.integrationCode)).toEqual(["http_lookup", "http_lookup_alt"]);
    for (const r of res.json.results) {
      expect(r).toMatchObject({ success: true, status: "succeeded", cached: false, costCents: 3, credits: 1 });
      expect(r.result.fieldsEnriched).toEqual(["title", "seniority"]);
      expect(r.result.dataQuality.confidence).toBeGreaterThan(0);
      expect(typeof r.enrichmentId).toBe("string");
    }
    expect(res.json.totalCostCents).toBe(6);
    expect(res.json.totalCredits).toBe(2);

    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    // The higher-confidence source wins the shared field.
    expect(entity.json.enriched.seniority).toMatchObject({ value: "lead", source: "http_lookup_alt", confidence: 0.9 });
    expect(entity.json.enriched.title.value).toContain("Ada Lovelace");

    const record = await call("GET", `/v1/enrichments/${res.json.results[0].enrichmentId}`, { key: org.adminKey });
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({ entityId: id, integrationCode: "http_lookup", status: "succeeded", credits: 1 });
    const records = await call("GET", `/v1/entities/${id}/enrichments`, { key: org.adminKey });
    expect(records.json.data).toHaveLength(2);

    const audit = await call("GET", `/v1/audit-log?action=entity.enriched&targetId=${id}`, { key: org.adminKey });
    expect(audit.json.data).toHaveLength(1);
    expect(audit.json.data[0].data.enrichments).toHaveLength(2);
  });

  it("is a partial success when some integrations fail", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, {
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: scenario({ http_lookup_alt: "500" }) },
    });
    expect(res.status).toBe(200);
    expect(res.json.success).toBe(true);
    const [ok, failed] = res.json.results;
    expect(ok.success).toBe(true);
    expect(failed).toMatchObject({ success: false, status: "failed", credits: 0, costCents: 0 });
    expect(failed.error).toMatchObject({ code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 });
    expect(failed.attempts).toBe(3);
    expect(res.json.totalCredits).toBe(1);
  });

  it.each([
    ["401", { code: "AUTH_ERROR", category: "auth_error", retryable: false, statusCode: 401 }],
    ["404", { code: "NO_DATA", category: "no_data", retryable: false }],
    ["nodata", { code: "NO_DATA", category: "no_data", retryable: false }],
    ["400", { code: "HTTP_400", category: "provider_failure", retryable: false, statusCode: 400 }],
    ["badjson", { code: "SYSTEM", category: "system", retryable: false }],
  ])("maps a provider answering %s to its error code and category", async (behaviour, expected) => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const s = scenario({ http_lookup: behaviour });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(res.status).toBe(200);
    expect(res.json.results[0].error).toMatchObject(expected);
    expect(await lookupCalls(s)).toBe(1);
  });

  it("retries retryable failures with backoff until the provider recovers", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const s = scenario({ http_lookup: "flaky2" });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(res.json.results[0]).toMatchObject({ success: true, attempts: 3 });
    expect(await lookupCalls(s)).toBe(3);
  });

  it("honours Retry-After on 429 and succeeds after waiting", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const s = scenario({ http_lookup: "ratelimited1" });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(res.json.results[0]).toMatchObject({ success: true, attempts: 2 });
    // Retry-After: 1 means the second call came no sooner than a second later.
    expect(res.json.results[0].executionTime).toBeGreaterThanOrEqual(1000);
  });

  it("reports RATE_LIMITED when the provider keeps limiting past the retries", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const s = scenario({ http_lookup: "ratelimited9" });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(res.json.results[0].error).toMatchObject({ code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 429 });
  });

  it("times out a hanging provider without holding up the other integrations", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, {
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: scenario({ http_lookup: "hang" }) },
    });
    const [hung, ok] = res.json.results;
    expect(hung.error).toMatchObject({ code: "ENRICHMENT_TIMEOUT", category: "timeout", retryable: true });
    expect(hung.executionTime).toBeLessThan(10_000);
    expect(ok.success).toBe(true);
  });

  it("fails a disabled integration with INTEGRATION_NOT_ENABLED and a missing input with MISSING_INPUT", async () => {
    const org = await lookupOrg();
    await call("PUT", "/v1/integrations/http_lookup_alt", { key: org.adminKey, body: { enabled: false } });
    const id = await person(org.adminKey, { title: "CFO" });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup", "http_lookup_alt"] });
    expect(res.json.results[0].error).toMatchObject({ code: "MISSING_INPUT", category: "validation", retryable: false });
    expect(res.json.results[1].error).toMatchObject({ code: "INTEGRATION_NOT_ENABLED", category: "configuration" });
    // The result names its integration; its message does not repeat it.
    expect(res.json.results[0].error.message).toBe("Needs email, or domain, or companyDomain, or fullName, or name");
    expect(res.json.results[1].error.message).toBe("Not enabled for this organization");
  });

  it("answers an input an integration refuses while building its cache key as that result's failure, not a 5xx", async () => {
    const org = await lookupOrg();
    // email_discover's declared inputs are there, but a name with no Latin letters yields no address to look up.
    const id = await person(org.adminKey, { fullName: "李小龙", companyDomain: "initech.io", phone: "+44 20 7946 0018" });
    for (const codes of [["email_discover"], ["email_discover", "phone_normalize"]]) {
      const res = await enrich(org.adminKey, id, { integrationCodes: codes });
      expect(res.status).toBe(200);
      expect(res.json.results[0]).toMatchObject({
        integrationCode: "email_discover",
        status: "failed",
        error: { code: "MISSING_INPUT", message: "Needs a first and last name (or a full name) written in Latin letters" },
      });
    }
  });

  it("rejects unknown codes, unknown groups and empty requests with 400", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const unknown = await enrich(org.adminKey, id, { integrationCodes: ["nope"] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("VALIDATION_ERROR");
    expect((await enrich(org.adminKey, id, { enrichmentGroupRefs: ["missing-group"] })).status).toBe(400);
    expect((await enrich(org.adminKey, id, {})).status).toBe(400);
    expect((await enrich(org.adminKey, id, { integrationCodes: [] })).status).toBe(400);
    expect((await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], strategy: "sideways" })).status).toBe(400);
    const records = await call("GET", `/v1/entities/${id}/enrichments`, { key: org.adminKey });
    expect(records.json.data).toHaveLength(0);
  });

  it("answers 404 for another organization's entity and 403 for a viewer", async () => {
    const a = await lookupOrg();
    const b = await lookupOrg();
    const id = await person(a.adminKey);
    expect((await enrich(b.adminKey, id, { integrationCodes: ["http_lookup"] })).status).toBe(404);
    const viewer = await call("POST", "/v1/api-keys", { key: a.adminKey, body: { name: "v", role: "viewer" } });
    expect((await enrich(viewer.json.key, id, { integrationCodes: ["http_lookup"] })).status).toBe(403);
  });

  it("refuses a revoked key and a key past its rate limit before anything runs, on both enrichment routes", async () => {
    const org = await lookupOrg();
    await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", externalId: "limited-1", attributes: { fullName: "Ada Lovelace" } } });
    const id = await person(org.adminKey);
    const s = scenario();
    const body = { integrationCodes: ["http_lookup"], params: { scenario: s } };

    const revoked = await createKey(org.adminKey, "member");
    expect((await call("DELETE", `/v1/api-keys/${revoked.id}`, { key: org.adminKey })).status).toBe(200);
    expect((await enrich(revoked.key, id, body)).status).toBe(401);
    expect((await call("POST", "/v1/entities/by-external-id/limited-1/enrichments", { key: revoked.key, body })).status).toBe(401);

    // The limit counts per clock minute: a burst that straddles a boundary is repeated with a fresh key, not judged.
    let statuses: number[] = [];
    let enriched = 0;
    for (let straddled = true, bursts = 0; straddled && bursts < 3; bursts++) {
      const limited = await createKey(org.adminKey, "member", { rateLimitPerMinute: 1 });
      const minute = Math.floor(Date.now() / 60_000);
      statuses = [
        (await enrich(limited.key, id, body)).status,
        (await enrich(limited.key, id, body)).status,
        (await call("POST", "/v1/entities/by-external-id/limited-1/enrichments", { key: limited.key, body })).status,
      ];
      straddled = Math.floor(Date.now() / 60_000) !== minute;
      enriched += statuses.filter((status) => status === 200).length;
    }
    expect(statuses).toEqual([200, 429, 429]);

    expect(await lookupCalls(s)).toBe(1);
    const records = await call("GET", `/v1/entities/${id}/enrichments`, { key: org.adminKey });
    expect(records.json.data).toHaveLength(enriched);
  });

  it("enriches by external id", async () => {
    const org = await lookupOrg();
    await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", externalId: "acct-9", attributes: { name: "Acme", domain: "acme.test" } } });
    const res = await call("POST", "/v1/entities/by-external-id/acct-9/enrichments", {
      key: org.adminKey,
      body: { integrationCodes: ["http_lookup"], params: { scenario: scenario() } },
    });
    expect(res.status).toBe(200);
    expect(res.json.results[0].success).toBe(true);
    expect((await call("POST", "/v1/entities/by-external-id/nope/enrichments", { key: org.adminKey, body: { integrationCodes: ["http_lookup"] } })).status).toBe(404);
  });
});

describe("waterfall", () => {
  it("stops at the first integration that fills the wanted fields and skips the rest at no cost", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const s = scenario({ http_lookup: "nodata" });
    const res = await enrich(org.adminKey, id, {
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      strategy: "waterfall",
      params: { scenario: s, fields: ["title"] },
    });
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(["failed", "succeeded"]);

    const s2 = scenario();
    const stopped = await enrich(org.adminKey, id, {
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      strategy: "waterfall",
      params: { scenario: s2, fields: ["title"] },
    });
    expect(stopped.json.results.map((r: { status: string }) => r.status)).toEqual(["succeeded", "skipped"]);
    expect(stopped.json.results[1]).toMatchObject({ success: false, credits: 0, costCents: 0 });
    expect(stopped.json.results[1].error).toBeUndefined();
    expect(stopped.json.totalCredits).toBe(1);
    expect(await lookupCalls(s2, "http_lookup_alt")).toBe(0);
  });

  it("keeps going while a wanted field is still missing", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, {
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      strategy: "waterfall",
      params: { scenario: scenario(), fields: ["title", "phone"] },
    });
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(["succeeded", "succeeded"]);
  });
});

describe("global cache", () => {
  it("answers a repeat from the cache across organizations, and forceRefresh calls the provider again", async () => {
    const a = await lookupOrg();
    const b = await lookupOrg();
    const s = scenario();
    const body = { integrationCodes: ["http_lookup"], params: { scenario: s } };
    const first = await enrich(a.adminKey, await person(a.adminKey), body);
    expect(first.json.results[0].cached).toBe(false);
    const geId = first.json.results[0].globalEnrichmentId;
    expect(geId).toMatch(/^ge_/);

    const second = await enrich(b.adminKey, await person(b.adminKey), body);
    expect(second.json.results[0]).toMatchObject({ cached: true, costCents: 0, credits: 1, globalEnrichmentId: geId });
    expect(second.json.results[0].result).toEqual(first.json.results[0].result);
    expect(await lookupCalls(s)).toBe(1);

    const refreshed = await enrich(b.adminKey, await person(b.adminKey), { ...body, forceRefresh: true });
    expect(refreshed.json.results[0].cached).toBe(false);
    expect(refreshed.json.results[0].globalEnrichmentId).not.toBe(geId);
    expect(await lookupCalls(s)).toBe(2);
    const after = await enrich(a.adminKey, await person(a.adminKey), body);
    expect(after.json.results[0].globalEnrichmentId).toBe(refreshed.json.results[0].globalEnrichmentId);

    const stored = await env.ENRICH_CACHE.list({ prefix: "enrich:v2:http_lookup:global:" });
    expect(stored.keys.length).toBeGreaterThanOrEqual(1);
  });

  it("answers several integrations from the cache together, and calls only the provider whose entry is missing", async () => {
    const org = await lookupOrg();
    const s = scenario();
    const id = await person(org.adminKey);
    const one = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(one.json.results[0].cached).toBe(false);

    // The response came after the cache write: the next request finds it.
    const both = { integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: s } };
    const mixed = await enrich(org.adminKey, id, both);
    expect(mixed.json.results.map((r: { cached: boolean }) => r.cached)).toEqual([true, false]);
    expect(mixed.json.results[0].globalEnrichmentId).toBe(one.json.results[0].globalEnrichmentId);

    const cached = await enrich(org.adminKey, id, both);
    expect(cached.json.results).toMatchObject([
      { integrationCode: "http_lookup", cached: true, success: true, globalEnrichmentId: one.json.results[0].globalEnrichmentId },
      { integrationCode: "http_lookup_alt", cached: true, success: true, globalEnrichmentId: mixed.json.results[1].globalEnrichmentId },
    ]);
    expect(cached.json.results[1].result).toEqual(mixed.json.results[1].result);
    expect(await lookupCalls(s, "http_lookup")).toBe(1);
    expect(await lookupCalls(s, "http_lookup_alt")).toBe(1);
  });

  it("does not cache failures", async () => {
    const org = await lookupOrg();
    const s = scenario({ http_lookup: "404" });
    const id = await person(org.adminKey);
    await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    const again = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: s } });
    expect(again.json.results[0].cached).toBe(false);
    expect(await lookupCalls(s)).toBe(2);
  });
});
