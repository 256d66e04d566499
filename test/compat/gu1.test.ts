import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { balance, lookupOrg, person } from "../helpers/enrichment";

/**
 * gu1's marketplace enrichment (../shared/reference/gu1.md): "execute by entity id" and "by external id", with the
 * entity named in the body, over Dossier's synchronous enrichment (its answer is already Dossier's EnrichResponse).
 */
const BY_ID = "/integration-execution/marketplace/enrichment";
const BY_EXTERNAL_ID = "/integration-execution/marketplace/enrichment-by-external-id";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const execute = (key: string, path: string, body: unknown) => call("POST", path, { headers: bearer(key), body });

async function crmPerson(key: string, attributes: Record<string, unknown>) {
  const externalId = `crm-${crypto.randomUUID().slice(0, 8)}`;
  const res = await call("POST", "/v1/entities", { key, body: { type: "person", externalId, attributes } });
  if (res.status !== 201) throw new Error(`person: ${res.status} ${res.text}`);
  return { id: res.json.id as string, externalId };
}

describe("POST /integration-execution/marketplace/enrichment[-by-external-id] (gu1)", () => {
  it("executes a single enrichment by entity id and answers Dossier's EnrichResponse, as /v1 does", async () => {
    const org = await createOrg();
    const id = await person(org.adminKey, { fullName: "Ada Lovelace", phone: "020 7946 0958", country: "GB" });
    const res = await execute(org.adminKey, BY_ID, { entityId: id, integrationCodes: ["phone_normalize"], parameters: {} });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["entityId", "results", "success", "totalCostCents", "totalCredits", "totalExecutionTime"]);
    expect(res.json).toMatchObject({ success: true, entityId: id, totalCostCents: 0 });
    expect(res.json.results).toHaveLength(1);
    expect(res.json.results[0]).toMatchObject({
      success: true,
      integrationCode: "phone_normalize",
      integrationName: expect.any(String),
      enrichmentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      result: { fieldsEnriched: expect.arrayContaining(["phoneE164"]), dataQuality: { completeness: expect.any(Number), confidence: 1 }, summary: expect.any(String) },
      executionTime: expect.any(Number),
      costCents: 0,
    });
    // The same run as /v1's: the record exists and the entity got the field.
    const record = await call("GET", `/v1/enrichments/${res.json.results[0].enrichmentId}`, { key: org.adminKey });
    expect(record.json).toMatchObject({ entityId: id, integrationCode: "phone_normalize", status: "succeeded" });
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(entity.json.enriched.phoneE164).toMatchObject({ value: "+442079460958", source: "phone_normalize" });
  });

  it("merges enrichmentGroupRefs and integrationCodes as today (group codes first, then the codes, duplicates dropped); a batch with mixed results is a 200", async () => {
    const org = await lookupOrg();
    const group = await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { slug: "kyc", name: "KYC", integrationCodes: ["phone_normalize", "http_lookup"] } });
    expect(group.status).toBe(201);
    const { id } = await crmPerson(org.adminKey, { fullName: `Mixed ${crypto.randomUUID().slice(0, 6)}`, phone: "+1 650 253 0000" });
    const res = await execute(org.adminKey, BY_ID, {
      entityId: id,
      enrichmentGroupRefs: ["kyc"],
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      parameters: { scenario: `id=${crypto.randomUUID()};http_lookup_alt=500` },
    });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { integrationCode: string; success: boolean }) => [r.integrationCode, r.success])).toEqual([
      ["phone_normalize", true],
      ["http_lookup", true],
      ["http_lookup_alt", false],
    ]);
    expect(res.json.results[2].error).toMatchObject({ code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 });
    expect(res.json.totalCredits).toBe(1);
    // By the group's id too, and a waterfall with parameters.fields stops once filled.
    const waterfall = await execute(org.adminKey, BY_ID, { entityId: id, enrichmentGroupRefs: [group.json.id], strategy: "waterfall", parameters: { fields: ["phoneE164"] }, forceRefresh: true });
    expect(waterfall.json.results.map((r: { status: string }) => r.status)).toEqual(["succeeded", "skipped"]);
  });

  it("by external id: looks the entity up by your id, runs exactly the same, and adds externalId to the answer", async () => {
    const org = await createOrg();
    const { id, externalId } = await crmPerson(org.adminKey, { fullName: "Grace Hopper", phone: "+44 20 7946 0018" });
    const res = await execute(org.adminKey, BY_EXTERNAL_ID, { externalId, integrationCodes: ["phone_normalize"] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: true, entityId: id, externalId, results: [{ integrationCode: "phone_normalize", success: true }] });
    expect((await execute(org.adminKey, BY_EXTERNAL_ID, { externalId: "crm-nobody", integrationCodes: ["phone_normalize"] })).status).toBe(404);
  });

  it("404 for an unknown entity (another organization's answers the same), 400 for a bad request, 401, 403 for a viewer, 402 for a prepaid balance that cannot cover it", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 0 });
    const id = await person(org.adminKey, { fullName: "Ada Lovelace", email: "ada@example.com" });
    const other = await createOrg();
    const foreign = await person(other.adminKey, { fullName: "Other" });
    const unknown = await execute(org.adminKey, BY_ID, { entityId: crypto.randomUUID(), integrationCodes: ["phone_normalize"] });
    const foreignRes = await execute(org.adminKey, BY_ID, { entityId: foreign, integrationCodes: ["phone_normalize"] });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("NOT_FOUND");
    expect(foreignRes.text).toBe(unknown.text);

    const bad: [unknown, string][] = [
      [{ entityId: "not-a-uuid", integrationCodes: ["phone_normalize"] }, "entityId"],
      [{ integrationCodes: ["phone_normalize"] }, "entityId"],
      [{ entityId: id }, "integrationCodes"],
      [{ entityId: id, integrationCodes: [], enrichmentGroupRefs: [] }, "integrationCodes"],
      [{ entityId: id, integrationCodes: ["no_such_code"] }, "integrationCodes"],
      [{ entityId: id, enrichmentGroupRefs: ["no-such-group"] }, "enrichmentGroupRefs"],
      [{ entityId: id, integrationCodes: ["phone_normalize"], params: {} }, "params"],
    ];
    for (const [body, path] of bad) {
      const res = await execute(org.adminKey, BY_ID, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await execute("garbage", BY_ID, { entityId: id, integrationCodes: ["phone_normalize"] })).status).toBe(401);
    const viewer = await createKey(org.adminKey, "viewer");
    expect((await execute(viewer.key, BY_ID, { entityId: id, integrationCodes: ["phone_normalize"] })).status).toBe(403);
    const poor = await execute(org.adminKey, BY_ID, { entityId: id, integrationCodes: ["email_validate"] });
    expect(poor.status).toBe(402);
    expect(poor.json.error.code).toBe("INSUFFICIENT_CREDITS");
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 0, reservedCredits: 0 });
    const records = await env.DB.prepare("SELECT count(*) AS n FROM enrichments WHERE entity_id = ?").bind(id).first<{ n: number }>();
    expect(records?.n).toBe(0);
  });
});
