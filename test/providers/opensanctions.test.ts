import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { enrichWith, expectSecretNowhere, fakeUrl, newEntity, orgWithIntegration, randomCode, receivedBy } from "./helpers";

const API_KEY = `os-key-${randomCode(16)}`;
const setup = (config: Record<string, unknown> = {}) =>
  orgWithIntegration("opensanctions_match", { config: { baseUrl: fakeUrl("opensanctions"), ...config }, credentials: { apiKey: API_KEY } });

describe("opensanctions_match", () => {
  it("flags a sanctioned person, sends the documented query and the ApiKey header, and never leaks the key", async () => {
    const org = await setup();
    const name = `Sanc ${randomCode(6)} Ivanov`;
    const id = await newEntity(org.adminKey, "person", { fullName: name, dateOfBirth: "1970-01-31", country: "RU" });
    const { res, result } = await enrichWith(org.adminKey, id, "opensanctions_match");
    expect(result).toMatchObject({ success: true, credits: 2, costCents: 10 });
    expect(result.result.dataQuality.confidence).toBe(0.93);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(entity.json.enriched.sanctionsHit.value).toBe(true);
    expect(entity.json.enriched.pepHit.value).toBe(false);
    expect(entity.json.enriched.riskTopics.value).toEqual(["crime", "sanction"]);
    expect(entity.json.enriched.screeningMatches.value).toEqual([
      { id: "NK-sanc1", name, schema: "Person", score: 0.93, topics: ["sanction", "crime"], datasets: ["us_ofac_sdn", "eu_fsf"], source: "opensanctions" },
    ]);
    expect(result.result.enrichmentData.results).toHaveLength(2);
    const [request] = await receivedBy("opensanctions", name);
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/opensanctions/match/default");
    expect(request?.query).toMatchObject({ threshold: "0.7", limit: "5" });
    expect(request?.headers.authorization).toBe(`ApiKey ${API_KEY}`);
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      queries: { q1: { schema: "Person", properties: { name: [name], birthDate: ["1970-01-31"], country: ["RU"] } } },
    });
    await expectSecretNowhere(org.adminKey, id, API_KEY, [res]);
  });

  it("reports a PEP and honours the configured dataset and threshold", async () => {
    const org = await setup({ dataset: "peps", threshold: 0.9 });
    const name = `Zpep ${randomCode(6)}`;
    const id = await newEntity(org.adminKey, "person", { fullName: name });
    const { result } = await enrichWith(org.adminKey, id, "opensanctions_match");
    // 0.86 is below this organization's threshold of 0.9: a clean screening.
    expect(result.result.fieldsEnriched).toEqual(["sanctionsHit", "pepHit"]);
    expect(result.result.summary).toContain("No match at or above 0.9");
    const [request] = await receivedBy("opensanctions", name);
    expect(request?.path).toBe("/opensanctions/match/peps");

    const lenient = await setup({ threshold: 0.8 });
    const other = await newEntity(lenient.adminKey, "person", { fullName: name });
    const hit = await enrichWith(lenient.adminKey, other, "opensanctions_match");
    const entity = await call("GET", `/v1/entities/${other}`, { key: lenient.adminKey });
    expect(hit.result.cached).toBe(false);
    expect(entity.json.enriched.pepHit.value).toBe(true);
    expect(entity.json.enriched.sanctionsHit.value).toBe(false);
  });

  it("screens companies with the Company schema and their identifiers", async () => {
    const org = await setup();
    const name = `Clean ${randomCode(6)} LLC`;
    const id = await newEntity(org.adminKey, "company", { name, country: "US", lei: "5493001KJTIIGC8Y1R12" });
    const { result } = await enrichWith(org.adminKey, id, "opensanctions_match");
    expect(result.success).toBe(true);
    expect(result.result.dataQuality.confidence).toBe(0.69);
    const [request] = await receivedBy("opensanctions", name);
    expect(JSON.parse(request?.body ?? "{}").queries.q1).toEqual({ schema: "Company", properties: { name: [name], country: ["US"], leiCode: ["5493001KJTIIGC8Y1R12"] } });
  });

  it("works against a self-hosted yente without a key", async () => {
    const org = await orgWithIntegration("opensanctions_match", { config: { baseUrl: fakeUrl("opensanctions") } });
    const name = `Nokey ${randomCode(6)}`;
    const id = await newEntity(org.adminKey, "person", { fullName: name });
    expect((await enrichWith(org.adminKey, id, "opensanctions_match")).result.success).toBe(true);
    const [request] = await receivedBy("opensanctions", name);
    expect(request?.headers.authorization).toBeUndefined();
  });

  it.each([
    ["X401", { code: "AUTH_ERROR", category: "auth_error", statusCode: 401 }],
    ["X429", { code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 429 }],
    ["X503", { code: "HTTP_503", category: "provider_failure", retryable: true, statusCode: 503 }],
  ])("maps the provider answering %s", async (prefix, error) => {
    const org = await setup();
    const id = await newEntity(org.adminKey, "person", { fullName: `${prefix} ${randomCode(6)}` });
    const { result } = await enrichWith(org.adminKey, id, "opensanctions_match");
    expect(result.error).toMatchObject(error);
  });

  it("answers a key-less hosted call with AUTH_ERROR carrying the provider's detail", async () => {
    const org = await orgWithIntegration("opensanctions_match", { config: { baseUrl: fakeUrl("opensanctions") } });
    const id = await newEntity(org.adminKey, "person", { fullName: `x401-${randomCode(6)}` });
    const { result } = await enrichWith(org.adminKey, id, "opensanctions_match");
    expect(result.error).toMatchObject({ code: "AUTH_ERROR", statusCode: 401 });
    expect(result.error.message).toContain("Invalid API key");
  });

  it("is off by default and needs a person's name or a company's name", async () => {
    const org = await setup();
    const id = await newEntity(org.adminKey, "person", { email: "someone@example.com" });
    expect((await enrichWith(org.adminKey, id, "opensanctions_match")).result.error).toMatchObject({ code: "MISSING_INPUT" });
    const fresh = await call("GET", "/v1/integrations", { key: (await orgWithIntegration("gleif_lei", {})).adminKey });
    expect(fresh.json.data.find((i: { code: string }) => i.code === "opensanctions_match").enabled).toBe(false);
  });
});
