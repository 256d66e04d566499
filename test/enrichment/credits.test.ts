import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN, call } from "../helpers/api";
import { balance, enrich, ledger, lookupCalls, lookupOrg, person, scenario } from "../helpers/enrichment";

const sumOf = (rows: { amount: number }[]) => rows.reduce((s, r) => s + r.amount, 0);

describe("credits", () => {
  it("charges only successes, once each, and keeps the balance equal to the ledger's sum", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, {
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: scenario({ http_lookup_alt: "401" }) },
    });
    expect(res.json.totalCredits).toBe(1);
    const b = await balance(org.adminKey);
    expect(b).toMatchObject({ creditBalance: 9, reservedCredits: 0, availableCredits: 9 });
    const rows = await ledger(org.adminKey);
    expect(rows.filter((r) => r.type === "charge")).toHaveLength(1);
    expect(rows.find((r) => r.type === "charge")?.enrichmentId).toBe(res.json.results[0].enrichmentId);
    expect(sumOf(rows)).toBe(b.creditBalance);
  });

  it("answers 402 before running anything when a prepaid balance cannot cover the most the request could charge", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 1 });
    const id = await person(org.adminKey);
    const s = scenario();
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: s } });
    expect(res.status).toBe(402);
    expect(res.json.error).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { required: 2, available: 1 } });
    expect(await lookupCalls(s)).toBe(0);
    expect(await lookupCalls(s, "http_lookup_alt")).toBe(0);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 1, reservedCredits: 0 });
    expect((await call("GET", `/v1/entities/${id}/enrichments`, { key: org.adminKey })).json.data).toHaveLength(0);
  });

  it("never overdraws under concurrent requests", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 5 });
    const ids = await Promise.all(Array.from({ length: 12 }, () => person(org.adminKey)));
    const responses = await Promise.all(
      ids.map((id) => enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: scenario() } })),
    );
    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 402);
    // Every run succeeds, so exactly the five credits' worth can ever be held and charged.
    expect(ok.length).toBe(5);
    expect(refused.length).toBe(7);
    const b = await balance(org.adminKey);
    expect(b.creditBalance).toBe(5 - ok.length);
    expect(b.creditBalance).toBeGreaterThanOrEqual(0);
    expect(b.reservedCredits).toBe(0);
    expect(sumOf(await ledger(org.adminKey))).toBe(b.creditBalance);
  });

  it("postpaid organizations always run and their charges are recorded", async () => {
    const org = await lookupOrg({ billingMode: "postpaid" });
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } });
    expect(res.status).toBe(200);
    const b = await balance(org.adminKey);
    expect(b.creditBalance).toBe(-2);
    expect(sumOf(await ledger(org.adminKey))).toBe(-2);
  });

  it("replays an Idempotency-Key without running or charging again", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const id = await person(org.adminKey);
    const s = scenario();
    const body = { integrationCodes: ["http_lookup"], params: { scenario: s } };
    const first = await enrich(org.adminKey, id, body, { "idempotency-key": "enrich-1" });
    const second = await enrich(org.adminKey, id, body, { "idempotency-key": "enrich-1" });
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(await lookupCalls(s)).toBe(1);
    expect((await balance(org.adminKey)).creditBalance).toBe(9);
    const reused = await enrich(org.adminKey, id, { ...body, forceRefresh: true }, { "idempotency-key": "enrich-1" });
    expect(reused.status).toBe(422);
  });

  it("charges cache hits the integration's credits at no provider cost", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const s = scenario();
    const body = { integrationCodes: ["http_lookup"], params: { scenario: s } };
    await enrich(org.adminKey, await person(org.adminKey), body);
    const hit = await enrich(org.adminKey, await person(org.adminKey), body);
    expect(hit.json.results[0]).toMatchObject({ cached: true, credits: 1, costCents: 0 });
    expect((await balance(org.adminKey)).creditBalance).toBe(8);
  });

  it("can make cache hits free with the CHARGE_CACHE_HITS setting", async () => {
    const { runIntegration } = await import("../../src/features/enrichment/run-integration");
    const { builtinIntegration } = await import("../../src/features/catalog/catalog");
    const { readSettings } = await import("../../src/platform/env");
    const { createDb } = await import("../../src/platform/db/client");
    const { Semaphore } = await import("../../src/platform/lib/semaphore");
    const org = await lookupOrg();
    const s = scenario();
    await enrich(org.adminKey, await person(org.adminKey), { integrationCodes: ["http_lookup"], params: { scenario: s } });
    const integration = builtinIntegration("http_lookup");
    if (!integration) throw new Error("http_lookup missing");
    const settingsRow = await env.DB.prepare("SELECT * FROM integration_settings WHERE org_id = ?").bind(org.orgId).first();
    const run = (chargeCacheHits: boolean) =>
      runIntegration(
        integration,
        { entityId: "e", entityType: "person", attributes: { fullName: "Ada Lovelace", email: "ada@example.com" }, params: { scenario: s } },
        {
          env,
          settings: { ...readSettings(env), CHARGE_CACHE_HITS: chargeCacheHits },
          db: createDb(env.DB),
          orgId: org.orgId,
          settingsRow: settingsRow ? { orgId: org.orgId, code: "http_lookup", enabled: true, config: JSON.parse(String(settingsRow.config)), credentialsEncrypted: null, updatedAt: "" } : undefined,
          forceRefresh: false,
          connections: new Semaphore(6),
        },
      );
    expect(await run(false)).toMatchObject({ cached: true, credits: 0 });
    expect(await run(true)).toMatchObject({ cached: true, credits: 1 });
  });

  it("reports usage by integration and by day, and lists the ledger", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    await enrich(org.adminKey, id, { integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } });
    await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    const byIntegration = await call("GET", "/v1/credits/usage?groupBy=integration", { key: org.adminKey });
    expect(byIntegration.json.data).toEqual([
      { integrationCode: "http_lookup", credits: 2, costCents: 6, charges: 2 },
      { integrationCode: "http_lookup_alt", credits: 1, costCents: 3, charges: 1 },
    ]);
    const byDay = await call("GET", "/v1/credits/usage?groupBy=day", { key: org.adminKey });
    expect(byDay.json.data).toEqual([{ day: new Date().toISOString().slice(0, 10), credits: 3, costCents: 9, charges: 3 }]);
    expect((await call("GET", "/v1/credits/usage?groupBy=week", { key: org.adminKey })).status).toBe(400);
  });

  it("lets only the operator grant credits, audited, with the ledger matching", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 3 });
    const denied = await call("POST", `/v1/admin/organizations/${org.orgId}/credits`, { key: org.adminKey, body: { amount: 100 } });
    expect(denied.status).toBe(401);
    const granted = await call("POST", `/v1/admin/organizations/${org.orgId}/credits`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: { amount: 100, reason: "Top-up" },
    });
    expect(granted.status).toBe(201);
    expect(granted.json).toMatchObject({ creditBalance: 103, billingMode: "prepaid" });
    const missing = await call("POST", `/v1/admin/organizations/${crypto.randomUUID()}/credits`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: { amount: 1 },
    });
    expect(missing.status).toBe(404);
    expect(sumOf(await ledger(org.adminKey))).toBe(103);
    const audit = await call("GET", "/v1/audit-log?action=credits.granted", { key: org.adminKey });
    expect(audit.json.data[0].data).toMatchObject({ amount: 100, reason: "Top-up" });
  });

  it("never charges an enrichment record twice, nor a failed one, even if a charge is replayed", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    const { chargeStatements } = await import("../../src/features/billing/ledger");
    const { createDb } = await import("../../src/platform/db/client");
    const { runStatements } = await import("../../src/platform/db/statements");
    const db = createDb(env.DB);
    const charge = { orgId: org.orgId, enrichmentId: res.json.results[0].enrichmentId, credits: 1, costCents: 3, integrationCode: "http_lookup", reason: "replay" };
    await runStatements(db, chargeStatements(db, charge));
    await runStatements(db, chargeStatements(db, { ...charge, enrichmentId: crypto.randomUUID() }));
    const failed = await enrich(org.adminKey, id, { integrationCodes: ["http_lookup"], params: { scenario: scenario({ http_lookup: "401" }) } });
    expect(failed.json.results[0].status).toBe("failed");
    await runStatements(db, chargeStatements(db, { ...charge, enrichmentId: failed.json.results[0].enrichmentId }));
    expect((await balance(org.adminKey)).creditBalance).toBe(9);
    expect((await ledger(org.adminKey)).filter((r) => r.type === "charge")).toHaveLength(1);
  });
});
