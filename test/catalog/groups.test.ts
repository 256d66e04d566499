import { describe, expect, it } from "vitest";
import { call, createKey } from "../helpers/api";
import { enrich, lookupCalls, lookupOrg, person, scenario } from "../helpers/enrichment";

describe("enrichment groups", () => {
  it("creates, reads by id or slug, updates, lists and deletes a group", async () => {
    const org = await lookupOrg();
    const created = await call("POST", "/v1/enrichment-groups", {
      key: org.adminKey,
      body: { slug: "basics", name: "Basics", integrationCodes: ["http_lookup_alt", "http_lookup"] },
    });
    expect(created.status).toBe(201);
    expect(created.json.integrationCodes).toEqual(["http_lookup_alt", "http_lookup"]);
    const bySlug = await call("GET", "/v1/enrichment-groups/basics", { key: org.adminKey });
    const byId = await call("GET", `/v1/enrichment-groups/${created.json.id}`, { key: org.adminKey });
    expect(bySlug.json).toEqual(byId.json);
    const patched = await call("PATCH", "/v1/enrichment-groups/basics", { key: org.adminKey, body: { name: "Renamed", slug: "renamed" } });
    expect(patched.json).toMatchObject({ name: "Renamed", slug: "renamed" });
    expect((await call("GET", "/v1/enrichment-groups/basics", { key: org.adminKey })).status).toBe(404);
    const list = await call("GET", "/v1/enrichment-groups", { key: org.adminKey });
    expect(list.json.data.map((g: { slug: string }) => g.slug)).toEqual(["renamed"]);
    expect((await call("DELETE", "/v1/enrichment-groups/renamed", { key: org.adminKey })).status).toBe(204);
    expect((await call("GET", "/v1/enrichment-groups/renamed", { key: org.adminKey })).status).toBe(404);
    const audit = await call("GET", `/v1/audit-log?targetType=enrichment_group`, { key: org.adminKey });
    expect(audit.json.data.map((a: { action: string }) => a.action)).toEqual([
      "enrichment_group.deleted",
      "enrichment_group.updated",
      "enrichment_group.created",
    ]);
  });

  it("rejects duplicate slugs (409), unknown codes (400), bad slugs (400) and non-admins (403)", async () => {
    const org = await lookupOrg();
    const body = { slug: "dup", name: "Dup", integrationCodes: ["http_lookup"] };
    expect((await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body })).status).toBe(201);
    const dup = await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe("CONFLICT");
    const unknown = await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { ...body, slug: "x", integrationCodes: ["nope"] } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details[0].path).toBe("integrationCodes");
    expect((await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { ...body, slug: "Bad Slug" } })).status).toBe(400);
    const member = await createKey(org.adminKey, "member");
    expect((await call("POST", "/v1/enrichment-groups", { key: member.key, body: { ...body, slug: "m" } })).status).toBe(403);
    expect((await call("GET", "/v1/enrichment-groups/dup", { key: member.key })).status).toBe(200);
  });

  it("is private to its organization", async () => {
    const a = await lookupOrg();
    const b = await lookupOrg();
    const g = await call("POST", "/v1/enrichment-groups", { key: a.adminKey, body: { slug: "mine", name: "Mine", integrationCodes: ["http_lookup"] } });
    expect((await call("GET", `/v1/enrichment-groups/${g.json.id}`, { key: b.adminKey })).status).toBe(404);
    expect((await call("PATCH", "/v1/enrichment-groups/mine", { key: b.adminKey, body: { name: "x" } })).status).toBe(404);
    expect((await call("DELETE", "/v1/enrichment-groups/mine", { key: b.adminKey })).status).toBe(404);
    const id = await person(b.adminKey);
    expect((await enrich(b.adminKey, id, { enrichmentGroupRefs: ["mine"] })).status).toBe(400);
  });

  it("expands groups in stored order, appends codes, and drops duplicates keeping the first", async () => {
    const org = await lookupOrg();
    await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { slug: "alt-first", name: "Alt first", integrationCodes: ["http_lookup_alt", "http_lookup"] } });
    await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { slug: "plain", name: "Plain", integrationCodes: ["http_lookup"] } });
    const id = await person(org.adminKey);
    const s = scenario();
    const res = await enrich(org.adminKey, id, {
      enrichmentGroupRefs: ["alt-first", "plain"],
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: s },
    });
    expect(res.json.results.map((r: { integrationCode: string }) => r.integrationCode)).toEqual(["http_lookup_alt", "http_lookup"]);
    expect(await lookupCalls(s)).toBe(1);
    expect(await lookupCalls(s, "http_lookup_alt")).toBe(1);
  });

  it("does not bypass enablement", async () => {
    const org = await lookupOrg();
    await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { slug: "both", name: "Both", integrationCodes: ["http_lookup", "http_lookup_alt"] } });
    await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { enabled: false } });
    const id = await person(org.adminKey);
    const res = await enrich(org.adminKey, id, { enrichmentGroupRefs: ["both"], params: { scenario: scenario() } });
    expect(res.json.results[0].error.code).toBe("INTEGRATION_NOT_ENABLED");
    expect(res.json.results[1].success).toBe(true);
  });
});
