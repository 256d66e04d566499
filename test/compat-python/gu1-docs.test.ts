import { beforeAll, describe, expect, it } from "vitest";
import { client, docs, docsOrg } from "./docs-harness";
import { documentedKey, gu1ResultFields, readDocument } from "./document-examples";

/**
 * gu1's documented calls (../shared/reference/gu1.md), sent with fetch to `wrangler dev` at the paths Dossier serves
 * them (`/integration-execution/marketplace/enrichment` and `…/enrichment-by-external-id`). The stored document lost
 * its JSON examples (only their titles are left: "Execute Single Enrichment", "Execute Multiple Enrichments (Batch)",
 * "Response Example - Successful Enrichment", "Response Example - Batch with Mixed Results"), so the requests are
 * built from the request fields its text names (`integrationCodes`, `enrichmentGroupRefs`, the optional parameters)
 * with the entity's id (`entityId`) or your id (`externalId`), and every per-result field its text lists
 * (`enrichmentId(string)`, `dataQuality(object)`, `retryable(boolean, optional)`, …) must be in the answers, of that
 * type: a successful result has all but `error`'s, a failed one all but `result`'s, as the document says.
 */
const text = readDocument("gu1");
const fields = gu1ResultFields(text);
const BY_ID = "/integration-execution/marketplace/enrichment";
const BY_EXTERNAL_ID = "/integration-execution/marketplace/enrichment-by-external-id";
const bearer = { authorization: "" };
let key = "";
const entity = { id: "", externalId: `crm-${crypto.randomUUID().slice(0, 8)}` };

beforeAll(async () => {
  key = (await docsOrg("gu1 docs")).key;
  bearer.authorization = `Bearer ${key}`;
  for (const code of ["http_lookup", "http_lookup_alt"]) {
    await client.expect(200, "PUT", `/v1/integrations/${code}`, { key, body: { enabled: true, config: { baseUrl: docs.fakeUrl } } });
  }
  await client.expect(201, "POST", "/v1/enrichment-groups", { key, body: { slug: "kyc", name: "KYC", integrationCodes: ["phone_normalize", "http_lookup"] } });
  const created = await client.expect(201, "POST", "/v1/entities", {
    key,
    body: { type: "person", externalId: entity.externalId, attributes: { fullName: `Ada ${entity.externalId}`, phone: "020 7946 0958", country: "GB" } },
  });
  entity.id = created.id;
});

/** Every key at any depth of a result, with its JSON type (`array` for arrays). */
function keyTypes(value: unknown, into = new Map<string, string>()): Map<string, string> {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      into.set(k, Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
      keyTypes(v, into);
    }
  }
  return into;
}

/** The documented per-result fields the results carry, each of its documented type; answers those none carries. */
function missingDocumentedFields(results: unknown[]) {
  const seen = new Map<string, string>();
  for (const r of results) for (const [k, t] of keyTypes(r)) seen.set(k, t);
  const missing: string[] = [];
  for (const { token, type } of fields) {
    const name = documentedKey(token, [...seen.keys()]);
    if (!name) missing.push(token);
    else expect(seen.get(name), `${name} (documented ${type})`).toBe(type);
  }
  return missing;
}

/** The top-level answer the document describes: success, the entity's id, the results, total cost and time. */
function expectBatchAnswer(json: any) {
  expect(json).toMatchObject({ success: expect.any(Boolean), entityId: entity.id, results: expect.any(Array), totalCostCents: expect.any(Number), totalExecutionTime: expect.any(Number) });
}

describe("gu1's documented calls, against wrangler dev", () => {
  it("the document lists the per-result fields", () => {
    expect(fields.length).toBeGreaterThanOrEqual(19);
  });

  it("Execute Single Enrichment by entity id: a successful result with every documented field but error's", async () => {
    const res = await client.call("POST", BY_ID, { headers: bearer, body: { entityId: entity.id, integrationCodes: ["phone_normalize"] } });
    expect(res.status, res.text).toBe(200);
    expectBatchAnswer(res.json);
    expect(res.json.results).toHaveLength(1);
    expect(res.json.results[0]).toMatchObject({ success: true, integrationCode: "phone_normalize" });
    expect(missingDocumentedFields(res.json.results).sort()).toEqual(fields.filter((f) => /(error|code|message|category|retryable|statusCode)$/.test(f.token)).map((f) => f.token).sort());
  });

  it("Execute Multiple Enrichments (Batch) with mixed results: enrichmentGroupRefs then integrationCodes, deduplicated; every documented field present", async () => {
    const res = await client.call("POST", BY_ID, {
      headers: bearer,
      body: {
        entityId: entity.id,
        enrichmentGroupRefs: ["kyc"],
        integrationCodes: ["http_lookup", "http_lookup_alt"],
        // The optional parameters reach the integrations: the lookup fake fails http_lookup_alt with a 500.
        parameters: { scenario: `id=${crypto.randomUUID()};http_lookup_alt=500` },
      },
    });
    expect(res.status, res.text).toBe(200);
    expectBatchAnswer(res.json);
    expect(res.json.results.map((r: { integrationCode: string; success: boolean }) => [r.integrationCode, r.success])).toEqual([
      ["phone_normalize", true],
      ["http_lookup", true],
      ["http_lookup_alt", false],
    ]);
    expect(res.json.results[2].error).toMatchObject({ code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 });
    expect(missingDocumentedFields(res.json.results)).toEqual([]);
  });

  it("Execute Enrichment by External ID: the same answer for your id, with externalId added", async () => {
    const res = await client.call("POST", BY_EXTERNAL_ID, { headers: bearer, body: { externalId: entity.externalId, integrationCodes: ["phone_normalize"], forceRefresh: true } });
    expect(res.status, res.text).toBe(200);
    expectBatchAnswer(res.json);
    expect(res.json).toMatchObject({ externalId: entity.externalId, results: [{ success: true, integrationCode: "phone_normalize" }] });
  });

  it("the documented errors: 404 entity not found, 401 unauthorized, 400 bad request", async () => {
    expect((await client.call("POST", BY_ID, { headers: bearer, body: { entityId: crypto.randomUUID(), integrationCodes: ["phone_normalize"] } })).status).toBe(404);
    expect((await client.call("POST", BY_ID, { headers: { authorization: "Bearer not-a-key" }, body: { entityId: entity.id, integrationCodes: ["phone_normalize"] } })).status).toBe(401);
    expect((await client.call("POST", BY_ID, { headers: bearer, body: { entityId: entity.id } })).status).toBe(400);
  });
});
