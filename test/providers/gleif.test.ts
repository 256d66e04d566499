import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { enrichWith, fakeUrl, newEntity, orgWithIntegration, randomCode, randomLei, receivedBy } from "./helpers";

const config = () => ({ config: { baseUrl: fakeUrl("gleif") } });

describe("gleif_lei", () => {
  it("maps an LEI record and both parents into the field dictionary", async () => {
    const org = await orgWithIntegration("gleif_lei", config());
    const lei = randomLei("PAR");
    const id = await newEntity(org.adminKey, "company", { name: "Example Widgets", lei });
    const { result } = await enrichWith(org.adminKey, id, "gleif_lei");
    expect(result).toMatchObject({ success: true, credits: 1, costCents: 0, cached: false });
    expect(result.result.dataQuality.confidence).toBe(1);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    const values = Object.fromEntries(Object.entries(entity.json.enriched).map(([k, v]) => [k, (v as { value: unknown }).value]));
    expect(values).toMatchObject({
      legalName: "Example Widgets Ltd",
      alternativeNames: ["Example Widgets Ltd Trading"],
      lei,
      leiStatus: "ISSUED",
      companyStatus: "active",
      jurisdiction: "GB",
      legalForm: "H0PO",
      registrationAuthorityId: "RA000585",
      registrationNumber: "01234567",
      incorporationDate: "2001-02-03",
      registeredAddress: { lines: ["1 Example Street", "Floor 2"], city: "London", country: "GB", postalCode: "EC1A 1AA" },
      headquartersAddress: { city: "Manchester", country: "GB" },
      directParent: { lei: "5493000DIRECTPARNT07", name: "Parent Holdings Ltd" },
      ultimateParent: { lei: "5493000ULTIMATEPAR08", name: "Ultimate Group plc" },
    });
    expect(entity.json.enriched.legalName.source).toBe("gleif_lei");
    expect(result.result.enrichmentData).toMatchObject({ lei, matchedBy: "lei" });
    const [request] = await receivedBy("gleif", lei);
    expect(request?.path).toBe(`/gleif/api/v1/lei-records/${lei}`);
    expect(request?.headers.accept).toBe("application/vnd.api+json");
    expect(await receivedBy("gleif", `${lei}/direct-parent`)).toHaveLength(1);
  });

  it("skips the parent calls when GLEIF reports an exception instead of a parent", async () => {
    const org = await orgWithIntegration("gleif_lei", config());
    const lei = randomLei("NOP");
    const id = await newEntity(org.adminKey, "company", { lei });
    const { result } = await enrichWith(org.adminKey, id, "gleif_lei");
    expect(result.success).toBe(true);
    expect(result.result.fieldsEnriched).not.toContain("directParent");
    expect(await receivedBy("gleif", `${lei}/direct-parent`)).toHaveLength(0);
  });

  it("finds a company by exact legal name, preferring the entity's country", async () => {
    const org = await orgWithIntegration("gleif_lei", config());
    const name = `Acme ${randomCode(8)} Ltd`;
    const id = await newEntity(org.adminKey, "company", { name, country: "GB" });
    const { result } = await enrichWith(org.adminKey, id, "gleif_lei");
    expect(result.success).toBe(true);
    expect(result.result.enrichmentData).toMatchObject({ lei: "213800ABCDEFGHIJKL34", matchedBy: "legalName", candidates: 2 });
    expect(result.result.dataQuality.confidence).toBe(0.95);
    const [request] = await receivedBy("gleif", name);
    expect(request?.query).toMatchObject({ "filter[entity.legalName]": name, "page[size]": "10" });
  });

  it("is enabled by default, needs no key, and answers NO_DATA for an unknown LEI or an empty search", async () => {
    const org = await createOrg();
    const catalog = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(catalog.json.data.find((i: { code: string }) => i.code === "gleif_lei")).toMatchObject({ enabled: true, credentialNames: [] });
    await call("PUT", "/v1/integrations/gleif_lei", { key: org.adminKey, body: config() });
    const unknown = await newEntity(org.adminKey, "company", { lei: randomLei("X404") });
    expect((await enrichWith(org.adminKey, unknown, "gleif_lei")).result.error).toMatchObject({ code: "NO_DATA", category: "no_data", statusCode: 404 });
    const nobody = await newEntity(org.adminKey, "company", { name: `XNON ${randomCode(6)}` });
    expect((await enrichWith(org.adminKey, nobody, "gleif_lei")).result.error).toMatchObject({ code: "NO_DATA", category: "no_data" });
  });

  it.each([
    ["X500", { code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 }, 3],
    ["X429", { code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 429 }, 1],
    ["X403", { code: "AUTH_ERROR", category: "auth_error", retryable: false, statusCode: 403 }, 1],
  ])("maps GLEIF answering %s", async (prefix, error, attempts) => {
    const org = await orgWithIntegration("gleif_lei", config());
    const lei = randomLei(prefix);
    const id = await newEntity(org.adminKey, "company", { lei });
    const { result } = await enrichWith(org.adminKey, id, "gleif_lei");
    expect(result.error).toMatchObject(error);
    expect(result.attempts).toBe(attempts);
    expect(await receivedBy("gleif", lei)).toHaveLength(attempts);
  });

  it("waits out a Retry-After it can afford, then succeeds and caches the answer globally", async () => {
    const org = await orgWithIntegration("gleif_lei", config());
    const lei = randomLei("Y429");
    const id = await newEntity(org.adminKey, "company", { lei });
    const { result } = await enrichWith(org.adminKey, id, "gleif_lei");
    expect(result).toMatchObject({ success: true, attempts: 2 });
    const other = await orgWithIntegration("gleif_lei", config());
    const again = await enrichWith(other.adminKey, await newEntity(other.adminKey, "company", { lei }), "gleif_lei");
    expect(again.result).toMatchObject({ success: true, cached: true, costCents: 0 });
    expect(await receivedBy("gleif", lei)).toHaveLength(2);
  });

  it("rejects an invalid base URL in its configuration", async () => {
    const org = await createOrg();
    const res = await call("PUT", "/v1/integrations/gleif_lei", { key: org.adminKey, body: { config: { baseUrl: "ftp://example.com" } } });
    expect(res.status).toBe(400);
  });
});
