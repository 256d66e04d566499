import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { enrichWith, expectSecretNowhere, fakeUrl, newEntity, orgWithIntegration, randomCode, receivedBy } from "./helpers";

const API_KEY = `pdl-${randomCode(24)}`;
const setup = (code: string, config: Record<string, unknown> = {}) =>
  orgWithIntegration(code, { config: { baseUrl: fakeUrl("pdl"), ...config }, credentials: { apiKey: API_KEY } });
const email = (prefix = "ada") => `${prefix}.${randomCode(8).toLowerCase()}@example.com`;
const valuesOf = (enriched: Record<string, { value: unknown }>) => Object.fromEntries(Object.entries(enriched).map(([k, v]) => [k, v.value]));

describe("pdl_person_enrich", () => {
  it("maps a person match, with the likelihood as confidence and the key in X-Api-Key", async () => {
    const org = await setup("pdl_person_enrich");
    const address = email();
    const id = await newEntity(org.adminKey, "person", { email: address });
    const { res, result } = await enrichWith(org.adminKey, id, "pdl_person_enrich");
    expect(result).toMatchObject({ success: true, credits: 5, costCents: 28 });
    expect(result.result.dataQuality.confidence).toBe(0.8);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(valuesOf(entity.json.enriched)).toEqual({
      fullName: "Ada Lovelace",
      firstName: "Ada",
      lastName: "Lovelace",
      jobTitle: "Chief Technology Officer",
      seniority: "cxo",
      jobFunction: "engineering",
      companyName: "Example Widgets",
      companyDomain: "examplewidgets.com",
      email: address,
      personalEmails: ["ada.lovelace@gmail.com"],
      phoneE164: "+14155552671",
      linkedinUrl: "https://linkedin.com/in/ada-lovelace",
      twitterUrl: "https://twitter.com/ada",
      githubUrl: "https://github.com/ada",
      location: "London, England, United Kingdom",
      industry: "computer software",
      skills: ["mathematics", "analytical engines", "programming"],
    });
    expect(result.result.enrichmentData).toMatchObject({ likelihood: 8, minLikelihood: null });
    const [request] = await receivedBy("pdl", address);
    expect(request?.path).toBe("/pdl/v5/person/enrich");
    expect(request?.query).toEqual({ email: address, titlecase: "true" });
    expect(request?.headers["x-api-key"]).toBe(API_KEY);
    await expectSecretNowhere(org.adminKey, id, API_KEY, [res]);
  });

  it("honours min_likelihood from the configuration and from the request's params", async () => {
    const strict = await setup("pdl_person_enrich", { minLikelihood: 9 });
    const address = email();
    const id = await newEntity(strict.adminKey, "person", { email: address });
    const { result } = await enrichWith(strict.adminKey, id, "pdl_person_enrich");
    expect(result.error).toMatchObject({ code: "NO_DATA", category: "no_data", statusCode: 404 });
    expect((await receivedBy("pdl", address))[0]?.query.min_likelihood).toBe("9");
    // The request's params override the organization's setting.
    const relaxed = await enrichWith(strict.adminKey, id, "pdl_person_enrich", { params: { min_likelihood: 6 } });
    expect(relaxed.result).toMatchObject({ success: true, cached: false });
    expect((await receivedBy("pdl", address))[1]?.query.min_likelihood).toBe("6");
  });

  it("matches by name and company, and ignores the placeholders of a free plan", async () => {
    const org = await setup("pdl_person_enrich");
    const name = `Free ${randomCode(6)}`;
    const id = await newEntity(org.adminKey, "person", { fullName: name, companyDomain: "examplewidgets.com" });
    const { result } = await enrichWith(org.adminKey, id, "pdl_person_enrich");
    expect(result.success).toBe(true);
    expect(result.result.fieldsEnriched).not.toContain("email");
    expect(result.result.fieldsEnriched).not.toContain("phoneE164");
    expect((await receivedBy("pdl", name))[0]?.query).toEqual({ name, company: "examplewidgets.com", titlecase: "true" });
  });

  it.each([
    ["x402", { code: "HTTP_402", category: "provider_failure", retryable: false, statusCode: 402 }],
    ["x429", { code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 429 }],
    ["x500", { code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 }],
  ])("maps PDL answering %s", async (prefix, error) => {
    const org = await setup("pdl_person_enrich");
    const id = await newEntity(org.adminKey, "person", { email: email(prefix) });
    const { result } = await enrichWith(org.adminKey, id, "pdl_person_enrich");
    expect(result.error).toMatchObject(error);
  });

  it("answers AUTH_ERROR with PDL's error type when no key reaches it", async () => {
    const org = await setup("pdl_person_enrich");
    await call("PUT", "/v1/integrations/pdl_person_enrich", { key: org.adminKey, body: { credentials: { apiKey: " " } } });
    const id = await newEntity(org.adminKey, "person", { email: email() });
    const { result } = await enrichWith(org.adminKey, id, "pdl_person_enrich");
    expect(result.error).toMatchObject({ code: "AUTH_ERROR", statusCode: 401 });
    expect(result.error.message).toContain("authentication_error");
  });

  it("needs an identifier PDL can match on", async () => {
    const org = await setup("pdl_person_enrich");
    const id = await newEntity(org.adminKey, "person", { fullName: "Ada Lovelace" });
    expect((await enrichWith(org.adminKey, id, "pdl_person_enrich")).result.error).toMatchObject({ code: "MISSING_INPUT" });
  });
});

describe("pdl_company_enrich", () => {
  it("maps a company match from the top-level profile", async () => {
    const org = await setup("pdl_company_enrich");
    const domain = `w${randomCode(8).toLowerCase()}.example.com`;
    const id = await newEntity(org.adminKey, "company", { name: "Example Widgets", website: `https://${domain}/` });
    const { result } = await enrichWith(org.adminKey, id, "pdl_company_enrich");
    expect(result).toMatchObject({ success: true, credits: 3 });
    expect(result.result.dataQuality.confidence).toBe(0.7);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(valuesOf(entity.json.enriched)).toEqual({
      displayName: "Example Widgets",
      alternativeNames: ["example widgets inc"],
      website: `https://${domain}`,
      domain,
      industry: "computer software",
      employeeCount: 120,
      employeeRange: "51-200",
      foundedYear: 2005,
      description: "Example Widgets makes widgets for examples.",
      linkedinUrl: "https://linkedin.com/company/example-widgets",
      twitterUrl: "https://twitter.com/examplewidgets",
      location: "san francisco, california, united states",
    });
    expect(result.result.enrichmentData.company.status).toBeUndefined();
    expect((await receivedBy("pdl", domain))[0]?.query).toEqual({ website: domain, titlecase: "true" });
  });

  it("answers NO_DATA for PDL's 404", async () => {
    const org = await setup("pdl_company_enrich");
    const id = await newEntity(org.adminKey, "company", { name: `xnon ${randomCode(6)}` });
    expect((await enrichWith(org.adminKey, id, "pdl_company_enrich")).result.error).toMatchObject({ code: "NO_DATA", statusCode: 404 });
  });
});
