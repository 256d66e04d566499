import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { balance } from "../helpers/enrichment";
import { ageRecord, charges, contactCalls, contactOrg, newPerson, postContact, runTask } from "../contact-enrichment/support";

/**
 * Lance's person contact enrichment (../shared/reference/lance.md), served over Dossier's contact enrichment:
 * `POST|GET /api/v1/operations/enrichment/{personId}?field=emails|phones` with Bearer auth.
 */
const lancePath = (personId: string, field = "emails") => `/api/v1/operations/enrichment/${personId}?field=${field}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const lancePost = (key: string, personId: string, field = "emails") => call("POST", lancePath(personId, field), { headers: bearer(key) });
const lanceGet = (key: string, personId: string, field = "emails") => call("GET", lancePath(personId, field), { headers: bearer(key) });

/** The documented object's fields, in the document's order. */
const LANCE_FIELDS = ["id", "createdAt", "updatedAt", "entityId", "entityType", "field", "status", "error", "dataFound", "createdBy", "orgId", "globalEnrichmentId", "creditTransactionId"];

describe("POST and GET /api/v1/operations/enrichment/{personId} (Lance)", () => {
  it("answers the documented example: a pending record of exactly the documented fields, then GET the same record", async () => {
    const org = await contactOrg("emails");
    const { id } = await newPerson(org.adminKey);
    const res = await lancePost(org.adminKey, id);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(LANCE_FIELDS);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      createdAt: res.json.createdAt,
      updatedAt: res.json.createdAt,
      entityId: id,
      entityType: "person",
      field: "emails",
      status: "pending",
      error: null,
      dataFound: null,
      createdBy: org.adminKeyId,
      orgId: org.orgId,
      globalEnrichmentId: null,
      creditTransactionId: null,
    });
    const got = await lanceGet(org.adminKey, id);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(res.json);
  });

  it("a search that found something: finished, dataFound true, one charge; POST answers it again without a search or a charge", async () => {
    const org = await contactOrg("emails");
    const { id, name } = await newPerson(org.adminKey);
    const started = await lancePost(org.adminKey, id);
    await runTask(started.json.id, org.orgId);
    const done = await lanceGet(org.adminKey, id);
    expect(done.json).toMatchObject({ id: started.json.id, status: "finished", error: null, dataFound: true });
    const [charge] = await charges(org.orgId);
    expect(done.json.creditTransactionId).toBe(charge?.id);
    const again = await lancePost(org.adminKey, id);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(done.json);
    expect(await contactCalls(name)).toBe(1);
    expect(await charges(org.orgId)).toHaveLength(1);
  });

  it("a search that found nothing is finished with dataFound false, and POST reuses it like any finished record (Dossier's /v1 searches again)", async () => {
    const org = await contactOrg("nothing");
    const { id, name } = await newPerson(org.adminKey);
    const started = await lancePost(org.adminKey, id);
    await runTask(started.json.id, org.orgId);
    const done = await lanceGet(org.adminKey, id);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ id: started.json.id, status: "finished", error: null, dataFound: false, creditTransactionId: null });

    const reused = await lancePost(org.adminKey, id);
    expect(reused.status).toBe(200);
    expect(reused.json).toEqual(done.json);
    expect(await contactCalls(name)).toBe(1);
    expect(await charges(org.orgId)).toHaveLength(0);

    // The same record through Dossier's own API: failed with NO_DATA, and its POST starts a new search.
    const native = await call("GET", `/v1/people/${id}/contact-enrichment?field=emails`, { key: org.adminKey });
    expect(native.json).toMatchObject({ id: started.json.id, status: "failed", error: { code: "NO_DATA" }, dataFound: null });
    const fresh = await postContact(org.adminKey, id);
    expect(fresh.status).toBe(202);
    expect((await lanceGet(org.adminKey, id)).json).toMatchObject({ id: fresh.json.id, status: "pending", dataFound: null });
  });

  it("a failed search: failed with its error as a string, dataFound null; POST then starts a new one", async () => {
    const org = await contactOrg("500");
    const { id } = await newPerson(org.adminKey);
    const started = await lancePost(org.adminKey, id);
    await runTask(started.json.id, org.orgId);
    const failed = await lanceGet(org.adminKey, id);
    expect(failed.json).toMatchObject({ status: "failed", dataFound: null, creditTransactionId: null });
    expect(failed.json.error).toEqual(expect.stringContaining("http_lookup"));
    const next = await lancePost(org.adminKey, id);
    expect(next.status).toBe(200);
    expect(next.json).toMatchObject({ status: "pending", error: null });
    expect(next.json.id).not.toBe(started.json.id);
  });

  it("a pending record past the maximum age reads as timeout; a cancelled one as cancelled; phones are their own record", async () => {
    const org = await contactOrg("hang");
    const { id } = await newPerson(org.adminKey);
    const started = await lancePost(org.adminKey, id);
    await ageRecord(started.json.id, 801);
    const timedOut = await lanceGet(org.adminKey, id);
    expect(timedOut.json).toMatchObject({ id: started.json.id, status: "timeout", dataFound: null });
    expect(timedOut.json.error).toMatch(/No result within 800 s/);

    const phones = await lancePost(org.adminKey, id, "phones");
    expect(phones.json).toMatchObject({ field: "phones", status: "pending" });
    await call("POST", `/v1/people/${id}/contact-enrichment/cancel?field=phones`, { key: org.adminKey });
    expect((await lanceGet(org.adminKey, id, "phones")).json).toMatchObject({ id: phones.json.id, status: "cancelled", error: null, dataFound: null });
  });

  it("400 VALIDATION_ERROR for an invalid personId or field, and on POST for an id that names no person of the organization", async () => {
    const org = await contactOrg("emails");
    const { id } = await newPerson(org.adminKey);
    for (const [method, path, detail] of [
      ["POST", lancePath("not-a-uuid"), "personId"],
      ["GET", lancePath("not-a-uuid"), "personId"],
      ["POST", lancePath(id, "faxes"), "field"],
      ["GET", lancePath(id, "faxes"), "field"],
      ["POST", `/api/v1/operations/enrichment/${id}`, "field"],
      ["GET", `/api/v1/operations/enrichment/${id}`, "field"],
    ] as const) {
      const res = await call(method, path, { headers: bearer(org.adminKey) });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.json.error.code).toBe("VALIDATION_ERROR");
      expect(res.json.error.details.map((d: { path: string }) => d.path)).toContain(detail);
    }
    const other = await contactOrg("emails");
    const foreign = await newPerson(other.adminKey);
    const unknown = await lancePost(org.adminKey, crypto.randomUUID());
    const foreignRes = await lancePost(org.adminKey, foreign.id);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: "VALIDATION_ERROR", details: [{ path: "personId" }] });
    expect(foreignRes.text).toBe(unknown.text);

    const company = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", attributes: { name: "Acme" } } });
    const notPerson = await lancePost(org.adminKey, company.json.id);
    expect(notPerson.status).toBe(400);
    expect(notPerson.json.error.details[0]).toMatchObject({ path: "personId", code: "not_enrichable" });
  });

  it("400 when no integration can search for the person (Lance has no 422), nothing stored or held", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 10 });
    const { id } = await newPerson(org.adminKey);
    const res = await lancePost(org.adminKey, id);
    expect(res.status).toBe(400);
    expect(res.json.error.details[0]).toMatchObject({ path: "personId", code: "not_enrichable" });
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 10, reservedCredits: 0 });
    expect((await lanceGet(org.adminKey, id)).status).toBe(404);
  });

  it("401 without a valid key, 402 when a prepaid balance cannot cover it, 403 for a viewer's POST, 404 on GET only", async () => {
    const org = await contactOrg("emails", { billingMode: "prepaid", initialCredits: 1 });
    const { id } = await newPerson(org.adminKey);
    for (const headers of [{}, bearer("garbage"), bearer(`dsr_live_${"0".repeat(40)}`)]) {
      for (const method of ["POST", "GET"]) {
        const res = await call(method, lancePath(id), { headers });
        expect(res.status).toBe(401);
        expect(res.json.error.code).toBe("UNAUTHORIZED");
      }
    }
    const poor = await lancePost(org.adminKey, id);
    expect(poor.status).toBe(402);
    expect(poor.json.error.code).toBe("INSUFFICIENT_CREDITS");
    const notYet = await lanceGet(org.adminKey, id);
    expect(notYet.status).toBe(404);
    expect(notYet.json.error.code).toBe("NOT_FOUND");
    expect((await lanceGet(org.adminKey, crypto.randomUUID())).status).toBe(404);

    const viewer = await createKey(org.adminKey, "viewer");
    expect((await lancePost(viewer.key, id)).status).toBe(403);
    const member = await createKey(org.adminKey, "member");
    expect((await lancePost(member.key, id, "phones")).status).toBe(402);
  });
});
