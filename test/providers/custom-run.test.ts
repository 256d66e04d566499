import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { peopleDefinition } from "./custom-definitions";
import { enrichWith, expectSecretNowhere, fakeUrl, newEntity, randomCode, receivedBy } from "./helpers";

const code = () => `custom_crm_${randomCode(8).toLowerCase()}`;

/** An organization with the people integration defined and its secret set. */
async function crmOrg(extra: Record<string, unknown> = {}, token = `tok_${randomCode(24)}`) {
  const org = await createOrg();
  const c = code();
  const created = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c, extra) });
  expect(created.status, created.text).toBe(201);
  const secret = await call("PUT", `/v1/integrations/${c}`, { key: org.adminKey, body: { credentials: { token } } });
  expect(secret.status, secret.text).toBe(200);
  expect(secret.text).not.toContain(token);
  return { org, code: c, token };
}

describe("running an http_json integration", () => {
  it("substitutes attributes, params and secrets, maps the answer and keeps the secret out of every response", async () => {
    const { org, code: c, token } = await crmOrg();
    const email = `ada+${randomCode(6).toLowerCase()}@example.com`;
    const id = await newEntity(org.adminKey, "person", { email });
    const { res, result } = await enrichWith(org.adminKey, id, c, { params: { tenant: "emea" } });
    expect(result).toMatchObject({ success: true, integrationCode: c, integrationName: "CRM people lookup", credits: 2, costCents: 1 });
    expect(result.result).toMatchObject({ fieldsEnriched: ["jobTitle", "custom.tier"], dataQuality: { completeness: 1, confidence: 0.87 } });
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(entity.json.enriched.jobTitle).toMatchObject({ value: "Head of Widgets", source: c, confidence: 0.87 });
    expect(entity.json.enriched["custom.tier"].value).toBe("gold");

    const [request] = await receivedBy("custom", email);
    expect(request?.query).toEqual({ email });
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    expect(request?.headers["x-tenant"]).toBe("emea");
    // The fake quoted the header back; what Dossier kept of the answer is redacted.
    expect(result.result.enrichmentData.response.meta.receivedAuthorization).toBe("Bearer [redacted]");
    await expectSecretNowhere(org.adminKey, id, token, [res]);
  });

  it("fails with INTEGRATION_NOT_ENABLED until its secrets are set, and when disabled", async () => {
    const org = await createOrg();
    const c = code();
    await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c) });
    const id = await newEntity(org.adminKey, "person", { email: `ada.${randomCode(6).toLowerCase()}@example.com` });
    expect((await enrichWith(org.adminKey, id, c)).result.error).toMatchObject({ code: "INTEGRATION_NOT_ENABLED", category: "configuration" });
    await call("PUT", `/v1/integrations/${c}`, { key: org.adminKey, body: { credentials: { token: "t0ken-value" }, enabled: false } });
    expect((await enrichWith(org.adminKey, id, c)).result.error).toMatchObject({ code: "INTEGRATION_NOT_ENABLED" });
  });

  it("answers NO_DATA when the no-data condition holds", async () => {
    const { org, code: c } = await crmOrg();
    const id = await newEntity(org.adminKey, "person", { email: `xnon.${randomCode(6).toLowerCase()}@example.com` });
    const { result } = await enrichWith(org.adminKey, id, c);
    expect(result.error).toMatchObject({ code: "NO_DATA", category: "no_data", retryable: false });
    expect(result.credits).toBe(0);
  });

  it("posts a JSON body template, keeps whole-placeholder values typed, and honours an equals condition", async () => {
    const org = await createOrg();
    const c = code();
    const definition = {
      code: c,
      name: "Company sizer",
      entityTypes: ["company"],
      method: "POST",
      urlTemplate: `${fakeUrl("custom")}/companies`,
      bodyTemplate: { name: "{{name}}", domain: "{{domain}}", options: { note: "for {{name}}", limit: 1, score: "{{custom.score}}" } },
      mapping: { employeeCount: "$.result.employees", "custom.segment": "$.result.segment" },
      noData: [{ path: "$.found", when: "equals", value: false }],
      confidence: { value: 0.9 },
      cacheTtlSeconds: 3600,
    };
    const created = await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: definition });
    expect(created.status, created.text).toBe(201);
    expect(created.json.inputs).toEqual([["domain", "name"]]);
    const name = `Acme ${randomCode(6)}`;
    const id = await newEntity(org.adminKey, "company", { name, domain: "acme.example", custom: { score: 42 } });
    const { result } = await enrichWith(org.adminKey, id, c);
    expect(result).toMatchObject({ success: true, credits: 1, costCents: 0 });
    expect(result.result.dataQuality.confidence).toBe(0.9);
    const [request] = await receivedBy("custom", name);
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "{}")).toEqual({ name, domain: "acme.example", options: { note: `for ${name}`, limit: 1, score: 42 } });

    // Cached within the organization only.
    expect((await enrichWith(org.adminKey, id, c)).result).toMatchObject({ success: true, cached: true });
    expect(await receivedBy("custom", name)).toHaveLength(1);
    const other = await createOrg();
    expect((await call("POST", "/v1/integrations/custom", { key: other.adminKey, body: definition })).status).toBe(201);
    const same = await newEntity(other.adminKey, "company", { name, domain: "acme.example", custom: { score: 42 } });
    expect((await enrichWith(other.adminKey, same, c)).result).toMatchObject({ success: true, cached: false });
    expect(await receivedBy("custom", name)).toHaveLength(2);

    const nobody = await newEntity(org.adminKey, "company", { name: `Nobody ${randomCode(6)}`, domain: "nobody.example" });
    expect((await enrichWith(org.adminKey, nobody, c)).result.error).toMatchObject({ code: "NO_DATA" });
  });

  it("maps provider failures like every adapter, redacting a secret the provider echoes", async () => {
    const { org, code: c, token } = await crmOrg();
    const refused = await newEntity(org.adminKey, "person", { email: `x401.${randomCode(6).toLowerCase()}@example.com` });
    const { res, result } = await enrichWith(org.adminKey, refused, c);
    expect(result.error).toMatchObject({ code: "AUTH_ERROR", category: "auth_error", statusCode: 401 });
    expect(result.error.message).toContain("Bearer [redacted]");
    await expectSecretNowhere(org.adminKey, refused, token, [res]);

    const broken = await newEntity(org.adminKey, "person", { email: `x500.${randomCode(6).toLowerCase()}@example.com` });
    expect((await enrichWith(org.adminKey, broken, c)).result).toMatchObject({ attempts: 2, error: { code: "HTTP_500", retryable: true, statusCode: 500 } });
    const limited = await newEntity(org.adminKey, "person", { email: `x429.${randomCode(6).toLowerCase()}@example.com` });
    expect((await enrichWith(org.adminKey, limited, c)).result.error).toMatchObject({ code: "RATE_LIMITED", category: "rate_limit" });
  });

  it("needs the attributes its templates use", async () => {
    const { org, code: c } = await crmOrg();
    const id = await newEntity(org.adminKey, "person", { fullName: "Ada Lovelace" });
    expect((await enrichWith(org.adminKey, id, c)).result.error).toMatchObject({ code: "MISSING_INPUT", category: "validation" });
  });

  it("refuses at call time a redirect to an address the guard forbids", async () => {
    const { org, code: c } = await crmOrg({ urlTemplate: `${fakeUrl("custom")}/redirect?email={{email}}` });
    const id = await newEntity(org.adminKey, "person", { email: `ada.${randomCode(6).toLowerCase()}@example.com` });
    const { result } = await enrichWith(org.adminKey, id, c);
    expect(result.error).toMatchObject({ code: "SYSTEM", category: "system" });
    expect(result.error.message).toContain("Outbound URL refused");
    expect(await receivedBy("custom", "redirect")).not.toHaveLength(0);
  });
});
