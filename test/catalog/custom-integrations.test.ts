import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { peopleDefinition } from "../providers/custom-definitions";
import { fakeUrl, newEntity } from "../providers/helpers";

const code = () => `custom_crm_${crypto.randomUUID().slice(0, 8)}`;

describe("POST /v1/integrations/custom", () => {
  it("defines an integration that joins the organization's catalog", async () => {
    const org = await createOrg();
    const c = code();
    const res = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c) });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      code: c,
      type: "http_json",
      method: "GET",
      entityTypes: ["person"],
      inputs: [["email"]],
      secretNames: ["token"],
      credits: 2,
      costCents: 1,
      timeoutMs: 5000,
      cacheTtlSeconds: null,
      headers: { authorization: "Bearer {{secrets.token}}" },
    });
    expect((await call("GET", `/v1/integrations/custom/${c}`, { key: org.adminKey })).json).toEqual(res.json);
    const catalog = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(catalog.json.data.find((i: { code: string }) => i.code === c)).toMatchObject({
      name: "CRM people lookup",
      enabled: true,
      outputs: ["jobTitle", "custom.tier"],
      credentialNames: ["token"],
      credentialsConfigured: false,
      cacheTtlSeconds: null,
    });
    const list = await call("GET", "/v1/integrations/custom", { key: org.adminKey });
    expect(list.json.data.map((i: { code: string }) => i.code)).toEqual([c]);
    const audit = await call("GET", `/v1/audit-log?action=custom_integration.created&targetId=${c}`, { key: org.adminKey });
    expect(audit.json.data[0].data).toMatchObject({ code: c, method: "GET", fields: ["jobTitle", "custom.tier"], secretNames: ["token"] });
  });

  it("answers 409 for a code already defined, and replays under the same Idempotency-Key", async () => {
    const org = await createOrg();
    const body = peopleDefinition(code());
    const headers = { "idempotency-key": crypto.randomUUID() };
    const first = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body, headers });
    const replay = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body, headers });
    expect(replay.status).toBe(201);
    expect(replay.json.id).toBe(first.json.id);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const again = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("CONFLICT");
  });

  it.each([
    ["a host taken from a placeholder", { urlTemplate: "https://{{domain}}/api?e={{email}}" }, "urlTemplate"],
    ["a private address", { urlTemplate: "http://10.0.0.7/people?email={{email}}" }, "urlTemplate"],
    ["a metadata address", { urlTemplate: "http://169.254.169.254/latest?e={{email}}" }, "urlTemplate"],
    ["credentials in the URL", { urlTemplate: "https://user:pass@api.example.com/?e={{email}}" }, "urlTemplate"],
    ["a non-http scheme", { urlTemplate: "ftp://api.example.com/{{email}}" }, "urlTemplate"],
    ["an unknown attribute", { urlTemplate: "https://api.example.com/?x={{shoeSize}}" }, "urlTemplate"],
    ["a malformed placeholder", { urlTemplate: "https://api.example.com/?x={{email" }, "urlTemplate"],
    ["a literal credential in a header", { headers: { authorization: "Bearer abc123" } }, "headers.authorization"],
    ["a forbidden header", { headers: { host: "evil.example.com" } }, "headers.host"],
    ["a field outside the dictionary", { mapping: { shoeSize: "$.size" } }, "mapping.shoeSize"],
    ["a company field on a person integration", { mapping: { legalName: "$.name" } }, "mapping.legalName"],
    ["an unsupported JSON path", { mapping: { jobTitle: "$.people[*].title" } }, "mapping.jobTitle"],
    ["an empty mapping", { mapping: {} }, "mapping"],
    ["a body on a GET", { bodyTemplate: { q: "{{email}}" } }, "bodyTemplate"],
    ["an equals condition without a value", { noData: [{ path: "$.found", when: "equals" }] }, "noData.0.value"],
    ["a code outside the custom_ namespace", { code: "gleif_lei" }, "code"],
  ])("refuses %s with 400", async (_, change, path) => {
    const org = await createOrg();
    const res = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: { ...peopleDefinition(code()), ...change } });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe("VALIDATION_ERROR");
    expect(res.json.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it("is for admins only", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    expect((await call("POST", "/v1/integrations/custom", { key: member.key, body: peopleDefinition(code()) })).status).toBe(403);
  });
});

describe("PATCH and DELETE /v1/integrations/custom/:code", () => {
  it("re-checks the merged definition and derives the inputs again", async () => {
    const org = await createOrg();
    const c = code();
    await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c) });
    const patched = await call("PATCH", `/v1/integrations/custom/${c}`, {
      key: org.adminKey,
      body: { urlTemplate: `${fakeUrl("custom")}/people?email={{email}}&name={{fullName}}`, credits: 3 },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ inputs: [["email", "fullName"]], credits: 3, name: "CRM people lookup" });
    expect(patched.json.updatedAt >= patched.json.createdAt).toBe(true);
    const bad = await call("PATCH", `/v1/integrations/custom/${c}`, { key: org.adminKey, body: { headers: { "x-api-key": "literal" } } });
    expect(bad.status).toBe(400);
    expect((await call("GET", `/v1/integrations/custom/${c}`, { key: org.adminKey })).json.credits).toBe(3);
  });

  it("deletes the integration together with its secrets", async () => {
    const org = await createOrg();
    const c = code();
    await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c) });
    await call("PUT", `/v1/integrations/${c}`, { key: org.adminKey, body: { credentials: { token: "s3cret-token-value" } } });
    expect((await call("DELETE", `/v1/integrations/custom/${c}`, { key: org.adminKey })).status).toBe(204);
    expect((await call("GET", `/v1/integrations/custom/${c}`, { key: org.adminKey })).status).toBe(404);
    const catalog = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(catalog.json.data.some((i: { code: string }) => i.code === c)).toBe(false);
    await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c) });
    const recreated = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(recreated.json.data.find((i: { code: string }) => i.code === c).credentialsConfigured).toBe(false);
  });
});

describe("isolation between organizations", () => {
  it("hides one organization's integration from another, which can neither read, change nor run it", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const c = code();
    await call("POST", "/v1/integrations/custom", { key: a.adminKey, body: peopleDefinition(c) });
    expect((await call("GET", `/v1/integrations/custom/${c}`, { key: b.adminKey })).status).toBe(404);
    expect((await call("PATCH", `/v1/integrations/custom/${c}`, { key: b.adminKey, body: { credits: 9 } })).status).toBe(404);
    expect((await call("DELETE", `/v1/integrations/custom/${c}`, { key: b.adminKey })).status).toBe(404);
    expect((await call("PUT", `/v1/integrations/${c}`, { key: b.adminKey, body: { enabled: true } })).status).toBe(404);
    const listed = await call("GET", "/v1/integrations", { key: b.adminKey });
    expect(listed.json.data.some((i: { code: string }) => i.code === c)).toBe(false);
    const id = await newEntity(b.adminKey, "person", { email: "ada@example.com" });
    const run = await call("POST", `/v1/entities/${id}/enrichments`, { key: b.adminKey, body: { integrationCodes: [c] } });
    expect(run.status).toBe(400);
    // b may define the same code for itself.
    expect((await call("POST", "/v1/integrations/custom", { key: b.adminKey, body: peopleDefinition(c) })).status).toBe(201);
  });
});

describe("GET /v1/integrations/fields", () => {
  it("lists the field dictionary", async () => {
    const org = await createOrg();
    const res = await call("GET", "/v1/integrations/fields", { key: org.adminKey });
    expect(res.status).toBe(200);
    const legalName = res.json.data.find((f: { name: string }) => f.name === "legalName");
    expect(legalName).toMatchObject({ type: "string", entityTypes: ["company"] });
    expect(legalName.description.length).toBeGreaterThan(10);
  });
});
