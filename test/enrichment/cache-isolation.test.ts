import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { peopleDefinition } from "../providers/custom-definitions";
import { enrichWith, fakeUrl, newEntity, orgWithIntegration, randomCode, randomLei, receivedBy } from "../providers/helpers";
import { contactCalls, contactOrg, getContact, newPerson, postContact, runTask, setProvider } from "../contact-enrichment/support";
import { call, createOrg } from "../helpers/api";
import { enrich, scenario } from "../helpers/enrichment";

/**
 * The cache key covers everything that can change an answer (src/features/enrichment/cache.ts): an entry is shared only between
 * organizations whose requests would have gone to the same place with the same meaning.
 */
const REAL = () => env.FAKE_PROVIDER_URL;
const RIVAL = () => `${env.FAKE_PROVIDER_URL}/rival`;

async function lookupOrgOn(baseUrl: string, extra: Record<string, unknown> = {}) {
  const org = await createOrg();
  const res = await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { enabled: true, config: { baseUrl }, ...extra } });
  expect(res.status, res.text).toBe(200);
  return org;
}

async function providerCalls(base: string, s: string): Promise<number> {
  const url = new URL(`${base}/lookup/calls`);
  url.searchParams.set("scenario", s);
  url.searchParams.set("integration", "http_lookup");
  return ((await (await fetch(url)).json()) as { count: number }).count;
}

/** The same person in every organization, enriched with `http_lookup` under scenario `s`. */
async function lookUp(key: string, s: string) {
  const entityId = await newEntity(key, "person", { fullName: "Ada Lovelace", email: "ada@example.com" });
  const res = await enrich(key, entityId, { integrationCodes: ["http_lookup"], params: { scenario: s } });
  expect(res.status, res.text).toBe(200);
  const entity = await call("GET", `/v1/entities/${entityId}`, { key });
  return { result: res.json.results[0], enriched: entity.json.enriched };
}

describe("cache isolation between organizations", () => {
  it("gives each organization its own provider's answer, and shares only between organizations on the same endpoint", async () => {
    const s = scenario();
    const attacker = await lookupOrgOn(RIVAL());
    const victim = await lookupOrgOn(REAL());
    const neighbour = await lookupOrgOn(RIVAL());

    const planted = await lookUp(attacker.adminKey, s);
    expect(planted.result).toMatchObject({ success: true, cached: false });
    expect(planted.enriched.title.value).toBe("Planted title for Ada Lovelace");

    const own = await lookUp(victim.adminKey, s);
    expect(own.result).toMatchObject({ success: true, cached: false, credits: 1 });
    expect(own.result.globalEnrichmentId).not.toBe(planted.result.globalEnrichmentId);
    expect(own.enriched.title.value).toBe("Title of Ada Lovelace from http_lookup");
    expect(own.result.result.enrichmentData.fields.title).toBe("Title of Ada Lovelace from http_lookup");

    const shared = await lookUp(neighbour.adminKey, s);
    expect(shared.result).toMatchObject({ success: true, cached: true, costCents: 0, globalEnrichmentId: planted.result.globalEnrichmentId });
    expect(shared.enriched.title.value).toBe("Planted title for Ada Lovelace");

    expect(await providerCalls(RIVAL(), s)).toBe(1);
    expect(await providerCalls(REAL(), s)).toBe(1);
  });

  it("splits on whether a key is configured, but not on which key (two accounts get the same data)", async () => {
    const s = scenario();
    const anonymous = await lookupOrgOn(RIVAL());
    const withKey = await lookupOrgOn(RIVAL(), { credentials: { apiKey: `key-${randomCode(12)}` } });
    const otherKey = await lookupOrgOn(RIVAL(), { credentials: { apiKey: `key-${randomCode(12)}` } });

    expect((await lookUp(anonymous.adminKey, s)).enriched.seniority.value).toBe("planted");
    const authenticated = await lookUp(withKey.adminKey, s);
    expect(authenticated.result.cached).toBe(false);
    expect(authenticated.enriched.seniority.value).toBe("planted-with-key");
    const sameData = await lookUp(otherKey.adminKey, s);
    expect(sameData.result).toMatchObject({ cached: true, globalEnrichmentId: authenticated.result.globalEnrichmentId });
    expect(await providerCalls(RIVAL(), s)).toBe(2);
  });

  it("adapters: an option that changes the answer splits the cache; spelling out its default does not", async () => {
    const baseUrl = fakeUrl("gleif");
    const lei = randomLei("PAR");
    const run = async (config: Record<string, unknown>) => {
      const org = await orgWithIntegration("gleif_lei", { config });
      return (await enrichWith(org.adminKey, await newEntity(org.adminKey, "company", { lei }), "gleif_lei")).result;
    };
    const withParents = await run({ baseUrl });
    expect(withParents).toMatchObject({ success: true, cached: false });
    expect(withParents.result.fieldsEnriched).toContain("directParent");

    const spelledOut = await run({ baseUrl, includeParents: true });
    expect(spelledOut).toMatchObject({ cached: true, globalEnrichmentId: withParents.globalEnrichmentId });

    const withoutParents = await run({ baseUrl, includeParents: false });
    expect(withoutParents).toMatchObject({ success: true, cached: false });
    expect(withoutParents.result.fieldsEnriched).not.toContain("directParent");
    expect(await receivedBy("gleif", lei)).toHaveLength(2);
  });

  it("adapters: another account's key at the same endpoint shares the entry", async () => {
    const email = `ada.${randomCode(8).toLowerCase()}@example.com`;
    const run = async (apiKey: string) => {
      const org = await orgWithIntegration("hunter_email_verifier", { config: { baseUrl: fakeUrl("hunter") }, credentials: { apiKey } });
      return (await enrichWith(org.adminKey, await newEntity(org.adminKey, "person", { email }), "hunter_email_verifier")).result;
    };
    const first = await run(`hunter-${randomCode(16)}`);
    const second = await run(`hunter-${randomCode(16)}`);
    expect(first).toMatchObject({ success: true, cached: false });
    expect(second).toMatchObject({ success: true, cached: true, globalEnrichmentId: first.globalEnrichmentId });
    expect(await receivedBy("hunter", email)).toHaveLength(1);
  });

  it("built-ins: configuration an integration does not read does not split its cache", async () => {
    const phone = `+1 650 253 ${String(1000 + Math.floor(Math.random() * 9000))}`;
    const run = async (config?: Record<string, unknown>) => {
      const org = await createOrg();
      if (config) expect((await call("PUT", "/v1/integrations/phone_normalize", { key: org.adminKey, body: { config } })).status).toBe(200);
      return (await enrichWith(org.adminKey, await newEntity(org.adminKey, "person", { phone }), "phone_normalize")).result;
    };
    const plain = await run();
    const configured = await run({ note: `anything ${randomCode(6)}` });
    expect(plain).toMatchObject({ success: true, cached: false });
    expect(configured).toMatchObject({ success: true, cached: true, globalEnrichmentId: plain.globalEnrichmentId });
  });

  it("custom http_json: never shared between organizations; a rotated secret keeps the entry, a changed definition does not", async () => {
    const c = `custom_crm_${randomCode(8).toLowerCase()}`;
    const email = `ada+${randomCode(8).toLowerCase()}@example.com`;
    const crmOrg = async () => {
      const org = await createOrg();
      expect((await call("POST", "/v1/integrations/custom", { key: org.adminKey, body: peopleDefinition(c, { cacheTtlSeconds: 3600 }) })).status).toBe(201);
      expect((await call("PUT", `/v1/integrations/${c}`, { key: org.adminKey, body: { credentials: { token: `tok_${randomCode(16)}` } } })).status).toBe(200);
      return { org, entityId: await newEntity(org.adminKey, "person", { email }) };
    };
    const a = await crmOrg();
    const b = await crmOrg();
    const first = (await enrichWith(a.org.adminKey, a.entityId, c)).result;
    expect(first).toMatchObject({ success: true, cached: false });
    expect((await enrichWith(b.org.adminKey, b.entityId, c)).result).toMatchObject({ success: true, cached: false });
    expect(await receivedBy("custom", email)).toHaveLength(2);

    expect((await call("PUT", `/v1/integrations/${c}`, { key: a.org.adminKey, body: { credentials: { token: `tok_${randomCode(16)}` } } })).status).toBe(200);
    expect((await enrichWith(a.org.adminKey, a.entityId, c)).result).toMatchObject({ cached: true, globalEnrichmentId: first.globalEnrichmentId });

    const patched = await call("PATCH", `/v1/integrations/custom/${c}`, { key: a.org.adminKey, body: { mapping: { jobTitle: "$.data.person.title" } } });
    expect(patched.status, patched.text).toBe(200);
    expect((await enrichWith(a.org.adminKey, a.entityId, c)).result).toMatchObject({ success: true, cached: false });
    expect(await receivedBy("custom", email)).toHaveLength(3);
  });

  it("contact enrichment: an organization on another endpoint is not served the cached contacts", async () => {
    const name = `Ada ${randomCode(8)}`;
    const find = async (org: { adminKey: string; orgId: string }) => {
      const p = await newPerson(org.adminKey, name);
      const started = await postContact(org.adminKey, p.id);
      expect(started.status, started.text).toBe(202);
      await runTask(started.json.id, org.orgId);
      return (await getContact(org.adminKey, p.id)).json;
    };
    const first = await find(await contactOrg("emails"));
    expect(first).toMatchObject({ status: "finished", globalEnrichmentId: null });

    const elsewhere = await contactOrg("emails");
    await setProvider(elsewhere.adminKey, "nothing");
    const other = await find(elsewhere);
    expect(other.status).not.toBe("finished");
    expect(JSON.stringify(other)).not.toContain("@example.test");

    const sameEndpoint = await find(await contactOrg("emails"));
    expect(sameEndpoint).toMatchObject({ status: "finished", dataFound: first.dataFound });
    expect(sameEndpoint.globalEnrichmentId).toMatch(/^ge_/);
    expect(await contactCalls(name)).toBe(2);
  });
});
