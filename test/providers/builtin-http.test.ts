import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { enrich } from "../helpers/enrichment";

async function entity(key: string, type: "person" | "company", attributes: Record<string, unknown>) {
  const res = await call("POST", "/v1/entities", { key, body: { type, attributes } });
  if (res.status !== 201) throw new Error(`create entity: ${res.status} ${res.text}`);
  return res.json.id as string;
}

type Result = { integrationCode: string; success: boolean; cached: boolean; credits: number; costCents: number; error?: { code: string } };
const byCode = (results: Result[]) => Object.fromEntries(results.map((r) => [r.integrationCode, r]));

describe("built-in integrations through the API", () => {
  it("are in the catalog, enabled without configuration", async () => {
    const org = await createOrg();
    const res = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(res.status).toBe(200);
    const catalog = Object.fromEntries((res.json.data as { code: string }[]).map((i) => [i.code, i]));
    for (const code of ["phone_normalize", "email_validate", "email_discover", "web_profile"]) {
      expect(catalog[code]).toMatchObject({ enabled: true, credentialNames: [], costCents: 0 });
    }
    expect(catalog.phone_normalize).toMatchObject({ credits: 0, inputs: [["phone"]], cacheScope: "global" });
    expect(catalog.email_discover).toMatchObject({ credits: 1, cacheScope: "organization" });
  });

  it("enrich a person: phone, email verdict and discovered addresses land on the entity", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 10 });
    const id = await entity(org.adminKey, "person", {
      firstName: "Miles",
      lastName: "Dyson",
      email: "Miles.Dyson@cyberdyne.ai",
      phone: "020 7946 0018",
      country: "GB",
      companyDomain: "cyberdyne.ai",
    });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["phone_normalize", "email_validate", "email_discover"] });
    expect(res.status).toBe(200);
    const results = byCode(res.json.results);
    for (const r of Object.values(results)) expect(r).toMatchObject({ success: true, cached: false, costCents: 0 });
    expect(res.json.totalCredits).toBe(2);

    const stored = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(stored.json.enriched).toMatchObject({
      phoneE164: { value: "+442079460018", source: "phone_normalize" },
      phoneLineType: { value: "fixed_line" },
      emailVerdict: { value: "deliverable", source: "email_validate" },
      // The person's own address says the domain uses first.last, so discovery proposes exactly it.
      email: { value: "miles.dyson@cyberdyne.ai", source: "email_discover" },
    });
    const credits = await call("GET", "/v1/credits", { key: org.adminKey });
    expect(credits.json.creditBalance).toBe(8);
  });

  it("serve repeat runs from the cache, and forceRefresh runs them again", async () => {
    const org = await createOrg();
    const id = await entity(org.adminKey, "person", { fullName: "Peter Gibbons", phone: "+1 212 555 0142", companyDomain: "initech.io" });
    await enrich(org.adminKey, id, { integrationCodes: ["phone_normalize", "email_discover"] });
    const again = byCode((await enrich(org.adminKey, id, { integrationCodes: ["phone_normalize", "email_discover"] })).json.results);
    expect(again.phone_normalize?.cached).toBe(true);
    expect(again.email_discover?.cached).toBe(true);
    const forced = byCode((await enrich(org.adminKey, id, { integrationCodes: ["email_discover"], forceRefresh: true })).json.results);
    expect(forced.email_discover?.cached).toBe(false);

    // Discovery depends on the organization's own people, so another organization does not get this answer from the cache.
    const other = await createOrg();
    const twin = await entity(other.adminKey, "person", { fullName: "Peter Gibbons", companyDomain: "initech.io" });
    const elsewhere = byCode((await enrich(other.adminKey, twin, { integrationCodes: ["email_discover", "phone_normalize"] })).json.results);
    expect(elsewhere.email_discover?.cached).toBe(false);
    expect(elsewhere.phone_normalize?.error?.code).toBe("MISSING_INPUT");
  });

  it("never count their own guesses as evidence of a domain's format", async () => {
    const org = await createOrg();
    const first = await entity(org.adminKey, "person", { fullName: "Ann Smith", companyDomain: "globex.com" });
    await enrich(org.adminKey, first, { integrationCodes: ["email_discover"] });
    const second = await entity(org.adminKey, "person", { fullName: "Hank Scorpio", companyDomain: "globex.com" });
    const res = await enrich(org.adminKey, second, { integrationCodes: ["email_discover"] });
    const [result] = res.json.results;
    expect(result.result.enrichmentData.evidence).toMatchObject({ basis: "prior", organizationAddresses: 0 });
  });

  it("learn a domain's format from a validated address and use it for another organization", async () => {
    const validating = await createOrg();
    const known = await entity(validating.adminKey, "person", { fullName: "Bruce Banner", email: "bbanner@hooli.com" });
    const validated = await enrich(validating.adminKey, known, { integrationCodes: ["email_validate"] });
    expect(validated.json.results[0].result.enrichmentData.verdict).toBe("deliverable");

    const discovering = await createOrg();
    const target = await entity(discovering.adminKey, "person", { fullName: "Gavin Belson", companyDomain: "hooli.com" });
    const res = await enrich(discovering.adminKey, target, { integrationCodes: ["email_discover"] });
    const [result] = res.json.results;
    expect(result.result.enrichmentData.evidence).toMatchObject({ basis: "global", globalAddresses: 1 });
    expect(result.result.enrichmentData.candidates[0].email).toBe("gbelson@hooli.com");
  });

  it("profile a company's website, and fail honestly (uncharged) on a refused redirect", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 5 });
    const acme = await entity(org.adminKey, "company", { name: "Acme", website: `${env.FAKE_PROVIDER_URL}/websites/acme`, country: "GB" });
    const ok = await enrich(org.adminKey, acme, { integrationCodes: ["web_profile"] });
    expect(ok.json.results[0]).toMatchObject({ success: true, credits: 1 });
    const stored = await call("GET", `/v1/entities/${acme}`, { key: org.adminKey });
    expect(stored.json.enriched).toMatchObject({
      linkedinUrl: { value: "https://www.linkedin.com/company/acme-widgets", source: "web_profile" },
      contactEmails: { value: ["sales@acme-widgets.com", "press@acme-widgets.com"] },
      address: { value: { addressLocality: "London" } },
    });

    const sneaky = await entity(org.adminKey, "company", { name: "Sneaky", website: `${env.FAKE_PROVIDER_URL}/websites/to-private` });
    const refused = await enrich(org.adminKey, sneaky, { integrationCodes: ["web_profile"] });
    expect(refused.json.results[0]).toMatchObject({ success: false, credits: 0, error: { code: "NO_DATA", category: "no_data" } });
    expect(refused.json.results[0].error.message).toContain("private");
    const credits = await call("GET", "/v1/credits", { key: org.adminKey });
    expect(credits.json.creditBalance).toBe(4);
  });

  it("answer MISSING_INPUT when the entity lacks what they need", async () => {
    const org = await createOrg();
    const id = await entity(org.adminKey, "person", { fullName: "No Contact" });
    const res = await enrich(org.adminKey, id, { integrationCodes: ["phone_normalize", "email_validate", "email_discover"] });
    for (const r of res.json.results) expect(r).toMatchObject({ success: false, error: { code: "MISSING_INPUT", category: "validation" } });
    expect(res.json.totalCredits).toBe(0);
  });
});
