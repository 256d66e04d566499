import { describe, expect, it } from "vitest";
import { providerAdapters } from "../../src/providers/adapters";
import { FIELD_DICTIONARY } from "../../src/providers/field-dictionary";
import { call, createOrg } from "../helpers/api";

describe("the provider adapters in the catalog", () => {
  it("fill only fields of the dictionary, for entity types those fields belong to", () => {
    for (const adapter of providerAdapters) {
      for (const field of adapter.outputs) {
        const known = FIELD_DICTIONARY[field as keyof typeof FIELD_DICTIONARY];
        expect(known, `${adapter.code} → ${field}`).toBeDefined();
        expect(adapter.entityTypes.some((t) => (known.entityTypes as readonly string[]).includes(t)), `${adapter.code} → ${field}`).toBe(true);
      }
    }
  });

  it("are listed with their keys, prices and defaults; only GLEIF runs without being enabled", async () => {
    const org = await createOrg();
    const res = await call("GET", "/v1/integrations", { key: org.adminKey });
    const byCode = new Map(res.json.data.map((i: { code: string }) => [i.code, i]));
    const expected = {
      gleif_lei: { enabled: true, credentialNames: [], entityTypes: ["company"], credits: 1, cacheScope: "global" },
      opensanctions_match: { enabled: false, credentialNames: [], entityTypes: ["person", "company"], credits: 2 },
      companies_house: { enabled: false, credentialNames: ["apiKey"], entityTypes: ["company"], credits: 1 },
      hunter_email_finder: { enabled: false, credentialNames: ["apiKey"], entityTypes: ["person"], credits: 2 },
      hunter_email_verifier: { enabled: false, credentialNames: ["apiKey"], entityTypes: ["person"], credits: 1 },
      pdl_person_enrich: { enabled: false, credentialNames: ["apiKey"], entityTypes: ["person"], credits: 5 },
      pdl_company_enrich: { enabled: false, credentialNames: ["apiKey"], entityTypes: ["company"], credits: 3 },
    };
    for (const [code, shape] of Object.entries(expected)) expect(byCode.get(code), code).toMatchObject(shape);
  });
});
