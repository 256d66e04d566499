import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { enrichWith, expectSecretNowhere, fakeUrl, newEntity, orgWithIntegration, randomCode, receivedBy } from "./helpers";

/** The one key the fake accepts (see test/fake-provider/companies-house.ts). */
const VALID_KEY = "ch-test-key-0123456789";
const setup = (apiKey = VALID_KEY) =>
  orgWithIntegration("companies_house", { config: { baseUrl: fakeUrl("companies-house") }, credentials: { apiKey } });

const valuesOf = (enriched: Record<string, { value: unknown }>) => Object.fromEntries(Object.entries(enriched).map(([k, v]) => [k, v.value]));

describe("companies_house", () => {
  it("maps the company profile and current officers, authenticating with Basic auth", async () => {
    const org = await setup();
    const number = `S${randomCode(1)}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    const id = await newEntity(org.adminKey, "company", { name: "Example Widgets", registrationNumber: number.toLowerCase() });
    const { res, result } = await enrichWith(org.adminKey, id, "companies_house");
    expect(result).toMatchObject({ success: true, credits: 1 });
    expect(result.result.dataQuality.confidence).toBe(1);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(valuesOf(entity.json.enriched)).toEqual({
      legalName: "EXAMPLE WIDGETS LIMITED",
      registrationNumber: number,
      companyStatus: "active",
      legalForm: "ltd",
      jurisdiction: "GB",
      registeredAddress: { lines: ["10 Downing Street", "Westminster"], city: "London", postalCode: "SW1A 2AA", country: "United Kingdom" },
      incorporationDate: "2001-02-03",
      sicCodes: ["62012", "62020"],
      previousNames: ["WIDGETS (UK) LIMITED"],
      officers: [
        { name: "LOVELACE, Ada", role: "director", appointedOn: "2015-06-01", nationality: "British", occupation: "Engineer", countryOfResidence: "England" },
        { name: "BABBAGE, Charles", role: "secretary", appointedOn: "2016-01-01" },
      ],
    });
    expect(result.result.enrichmentData).toMatchObject({ activeOfficers: 2, resignedOfficers: 1, matchedBy: "registrationNumber" });
    expect(result.result.enrichmentData.profile.links).toBeUndefined();
    const [request] = await receivedBy("companies-house", number);
    expect(request?.headers.authorization).toBe(`Basic ${btoa(`${VALID_KEY}:`)}`);
    expect(await receivedBy("companies-house", `${number}/officers`)).toHaveLength(1);
    await expectSecretNowhere(org.adminKey, id, VALID_KEY, [res]);
  });

  it("pads numeric company numbers to eight digits", async () => {
    const org = await setup();
    const digits = String(Math.floor(Math.random() * 1e6) + 1);
    const id = await newEntity(org.adminKey, "company", { registrationNumber: digits });
    expect((await enrichWith(org.adminKey, id, "companies_house")).result.success).toBe(true);
    expect(await receivedBy("companies-house", digits.padStart(8, "0"))).toHaveLength(1);
  });

  it("finds a company by its exact registered name ('Ltd' matches 'LIMITED')", async () => {
    const org = await setup();
    const name = `Widgets ${randomCode(6)} Ltd`;
    const id = await newEntity(org.adminKey, "company", { name });
    const { result } = await enrichWith(org.adminKey, id, "companies_house");
    expect(result.success).toBe(true);
    expect(result.result.enrichmentData.matchedBy).toBe("name");
    expect(result.result.dataQuality.confidence).toBe(0.9);
    expect(await receivedBy("companies-house", "00123456")).not.toHaveLength(0);
    const [search] = await receivedBy("companies-house", name);
    expect(search?.path).toBe("/companies-house/search/companies");
  });

  it("needs its API key configured before it runs", async () => {
    const org = await orgWithIntegration("companies_house", { config: { baseUrl: fakeUrl("companies-house") } });
    const id = await newEntity(org.adminKey, "company", { registrationNumber: "12345678" });
    const { result } = await enrichWith(org.adminKey, id, "companies_house");
    expect(result.error).toMatchObject({ code: "INTEGRATION_NOT_ENABLED", category: "configuration" });
    const catalog = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(catalog.json.data.find((i: { code: string }) => i.code === "companies_house")).toMatchObject({ credentialNames: ["apiKey"], credentialsConfigured: false });
  });

  it("answers AUTH_ERROR for a key Companies House rejects, without leaking it", async () => {
    const wrong = `wrong-${randomCode(12)}`;
    const org = await setup(wrong);
    const id = await newEntity(org.adminKey, "company", { registrationNumber: randomCode(8) });
    const { res, result } = await enrichWith(org.adminKey, id, "companies_house");
    expect(result.error).toMatchObject({ code: "AUTH_ERROR", category: "auth_error", statusCode: 401, retryable: false });
    expect(result.error.message).toContain("Invalid Authorization");
    await expectSecretNowhere(org.adminKey, id, wrong, [res]);
  });

  it.each([
    ["X404", { code: "NO_DATA", category: "no_data", statusCode: 404 }],
    ["XNON", { code: "NO_DATA", category: "no_data" }],
    ["X429", { code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 429 }],
    ["X500", { code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 }],
  ])("maps Companies House answering %s", async (prefix, error) => {
    const org = await setup();
    const id = await newEntity(org.adminKey, "company", { registrationNumber: `${prefix}${randomCode(4)}` });
    expect((await enrichWith(org.adminKey, id, "companies_house")).result.error).toMatchObject(error);
  });

  it("recovers from a single 503 by retrying", async () => {
    const org = await setup();
    const number = `Y503${randomCode(4)}`;
    const id = await newEntity(org.adminKey, "company", { registrationNumber: number });
    expect((await enrichWith(org.adminKey, id, "companies_house")).result).toMatchObject({ success: true, attempts: 2 });
  });
});
