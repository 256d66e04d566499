import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { balance } from "../helpers/enrichment";
import { charges, contactCalls, contactOrg, contactPath, getContact, newPerson, postContact, recordRow, runTask } from "./support";

describe("POST /v1/people/:personId/contact-enrichment", () => {
  it("answers 202 with a pending record of exactly the documented shape, and GET returns it", async () => {
    const org = await contactOrg("emails");
    const { id } = await newPerson(org.adminKey);
    const res = await postContact(org.adminKey, id);
    expect(res.status).toBe(202);
    expect(Object.keys(res.json).sort()).toEqual(
      ["id", "entityId", "entityType", "field", "status", "error", "dataFound", "globalEnrichmentId", "creditTransactionId", "createdAt", "updatedAt", "createdBy"].sort(),
    );
    expect(res.json).toMatchObject({
      entityId: id,
      entityType: "person",
      field: "emails",
      status: "pending",
      error: null,
      dataFound: null,
      globalEnrichmentId: null,
      creditTransactionId: null,
      createdBy: org.adminKeyId,
    });
    expect(res.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(res.json.createdAt)).not.toBeNaN();
    expect(res.json.updatedAt).toBe(res.json.createdAt);

    const got = await getContact(org.adminKey, id);
    expect(got.status).toBe(200);
    expect(got.json.id).toBe(res.json.id);
    expect(got.json.field).toBe("emails");

    const audit = await call("GET", `/v1/audit-log?action=contact_enrichment.requested&targetId=${res.json.id}`, { key: org.adminKey });
    expect(audit.json.data).toHaveLength(1);
    expect(audit.json.data[0].data).toMatchObject({ entityId: id, field: "emails", credits: 2 });
  });

  it("returns the pending or finished record on a repeat POST without charging again", async () => {
    const org = await contactOrg("emails");
    const { id } = await newPerson(org.adminKey);
    const first = await postContact(org.adminKey, id);
    const again = await postContact(org.adminKey, id);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);

    await runTask(first.json.id, org.orgId);
    const afterFinish = await postContact(org.adminKey, id);
    expect(afterFinish.status).toBe(200);
    expect(afterFinish.json).toMatchObject({ id: first.json.id, status: "finished" });
    expect(await charges(org.orgId)).toHaveLength(1);
    expect((await balance(org.adminKey)).creditBalance).toBe(-2);

    // The other field is a record of its own.
    const phones = await postContact(org.adminKey, id, "phones");
    expect(phones.status).toBe(202);
    expect(phones.json.id).not.toBe(first.json.id);
  });

  it("creates one record when requests for the same person and field race", async () => {
    const org = await contactOrg("emails", { billingMode: "prepaid", initialCredits: 100 });
    const { id } = await newPerson(org.adminKey);
    const answers = await Promise.all(Array.from({ length: 8 }, () => postContact(org.adminKey, id)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    const { results } = await env.DB.prepare("SELECT id FROM contact_enrichments WHERE entity_id = ?").bind(id).all();
    expect(results).toHaveLength(1);
    // Losers gave their holds back: only the one record's price is held.
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 100, reservedCredits: 2 });
  });

  it("starts a new record after a failed one", async () => {
    const org = await contactOrg("500");
    const { id } = await newPerson(org.adminKey);
    const first = await postContact(org.adminKey, id);
    await runTask(first.json.id, org.orgId);
    expect((await getContact(org.adminKey, id)).json.status).toBe("failed");
    const second = await postContact(org.adminKey, id);
    expect(second.status).toBe(202);
    expect(second.json.id).not.toBe(first.json.id);
    expect((await getContact(org.adminKey, id)).json.id).toBe(second.json.id);
    expect((await recordRow(first.json.id))?.status).toBe("failed");
  });

  it("replays the first answer for a repeated Idempotency-Key", async () => {
    const org = await contactOrg("emails");
    const { id } = await newPerson(org.adminKey);
    const headers = { "idempotency-key": crypto.randomUUID() };
    const first = await postContact(org.adminKey, id, "emails", headers);
    const replay = await postContact(org.adminKey, id, "emails", headers);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json.id).toBe(first.json.id);
    // The query string is part of the request: the same key for the other field is a different request.
    const otherField = await postContact(org.adminKey, id, "phones", headers);
    expect(otherField.status).toBe(422);
    expect(otherField.json.error.code).toBe("UNPROCESSABLE");
  });

  it("is 422 with no record when no enabled integration can search the field", async () => {
    const org = await createOrg();
    // The order group names only http_lookup, which this organization has not enabled.
    await call("POST", "/v1/enrichment-groups", {
      key: org.adminKey,
      body: { slug: "contact-emails", name: "Contact emails", integrationCodes: ["http_lookup"] },
    });
    const { id } = await newPerson(org.adminKey);
    const res = await postContact(org.adminKey, id);
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("UNPROCESSABLE");
    expect((await getContact(org.adminKey, id)).status).toBe(404);
  });
});

describe("refused at POST when it can never be served", () => {
  it("is 422 listing what each integration of the order lacks, with no record, hold or audit entry", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 10 });
    // The default emails order: email_discover (needs a name and companyDomain), then two that need an API key.
    const { id } = await newPerson(org.adminKey, "Ada Lovelace");
    const res = await postContact(org.adminKey, id, "emails");
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("UNPROCESSABLE");
    expect(res.json.error.message).toContain("can run for this person");
    expect(res.json.error.details).toEqual([
      {
        integrationCode: "email_discover",
        reason: "missing_inputs",
        message: "Needs firstName + lastName + companyDomain, or fullName + companyDomain; this person lacks companyDomain",
        missing: [["firstName", "lastName", "companyDomain"], ["companyDomain"]],
      },
      { integrationCode: "hunter_email_finder", reason: "not_enabled", message: "Not enabled for this organization" },
      { integrationCode: "pdl_person_enrich", reason: "not_enabled", message: "Not enabled for this organization" },
    ]);
    expect((await getContact(org.adminKey, id)).status).toBe(404);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 10, reservedCredits: 0 });
    const audit = await call("GET", "/v1/audit-log?action=contact_enrichment.requested", { key: org.adminKey });
    expect(audit.json.data).toHaveLength(0);

    // Once the person has what email_discover needs, the same request starts.
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { companyDomain: "initech.io" } } });
    expect((await postContact(org.adminKey, id, "emails")).status).toBe(202);
  });

  it("derives what is missing from the integrations' declared inputs, in the organization's own order", async () => {
    const org = await contactOrg("phones");
    // http_lookup needs an email, a domain, a companyDomain, a fullName or a name: a person with only a phone has none.
    const { json } = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes: { phone: "+44 20 7946 0018" } } });
    const res = await postContact(org.adminKey, json.id, "phones");
    expect(res.status).toBe(422);
    expect(res.json.error.details).toEqual([
      {
        integrationCode: "http_lookup",
        reason: "missing_inputs",
        message: "Needs email, or domain, or companyDomain, or fullName, or name; this person has none of these",
        missing: [["email"], ["domain"], ["companyDomain"], ["fullName"], ["name"]],
      },
    ]);
    expect(await charges(org.orgId)).toHaveLength(0);
  });
});

describe("validation and tenancy", () => {
  it("answers 404 for another organization's person, an unknown id, and GET before any request", async () => {
    const a = await contactOrg("emails");
    const b = await contactOrg("emails");
    const { id } = await newPerson(a.adminKey);
    expect((await postContact(b.adminKey, id)).status).toBe(404);
    expect((await getContact(b.adminKey, id)).status).toBe(404);
    expect((await postContact(a.adminKey, crypto.randomUUID())).status).toBe(404);
    const none = await getContact(a.adminKey, id);
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe("NOT_FOUND");
    const { results } = await env.DB.prepare("SELECT id FROM contact_enrichments WHERE entity_id = ?").bind(id).all();
    expect(results).toHaveLength(0);
  });

  it("refuses a company with 422 and a bad or missing field with 400", async () => {
    const org = await contactOrg("emails");
    const company = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", attributes: { name: "Acme", domain: "acme.test" } } });
    const res = await postContact(org.adminKey, company.json.id);
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("UNPROCESSABLE");
    const { id } = await newPerson(org.adminKey);
    expect((await postContact(org.adminKey, id, "faxes")).status).toBe(400);
    const missing = await call("POST", `/v1/people/${id}/contact-enrichment`, { key: org.adminKey });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("VALIDATION_ERROR");
  });

  describe.each([
    ["admin", 202, 200],
    ["member", 202, 200],
    ["viewer", 403, 200],
  ] as const)("role %s", (role, postStatus, getStatus) => {
    it(`POST answers ${postStatus}, GET ${getStatus}`, async () => {
      const org = await contactOrg("emails");
      const key = role === "admin" ? org.adminKey : (await createKey(org.adminKey, role)).key;
      const { id } = await newPerson(org.adminKey);
      const post = await postContact(key, id);
      expect(post.status).toBe(postStatus);
      if (postStatus !== 202) {
        expect(post.json.error.code).toBe("FORBIDDEN");
        await postContact(org.adminKey, id);
      }
      expect((await getContact(key, id)).status).toBe(getStatus);
      expect((await call("POST", `${contactPath(id).replace("?", "/cancel?")}`, { key })).status).toBe(role === "viewer" ? 403 : 200);
    });
  });

  it("needs an API key", async () => {
    const org = await contactOrg("emails");
    const { id } = await newPerson(org.adminKey);
    expect((await call("POST", contactPath(id))).status).toBe(401);
    expect((await call("GET", contactPath(id))).status).toBe(401);
  });
});

describe("POST /v1/people/:personId/contact-enrichment/cancel", () => {
  it("cancels a pending record, releases its hold, and its task then changes nothing", async () => {
    const org = await contactOrg("emails", { billingMode: "prepaid", initialCredits: 10 });
    const { id, name } = await newPerson(org.adminKey);
    const started = await postContact(org.adminKey, id);
    expect((await balance(org.adminKey)).reservedCredits).toBe(2);

    const cancelled = await call("POST", `/v1/people/${id}/contact-enrichment/cancel?field=emails`, { key: org.adminKey });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ id: started.json.id, status: "cancelled", dataFound: null, creditTransactionId: null });
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 10, reservedCredits: 0 });

    await runTask(started.json.id, org.orgId);
    expect((await getContact(org.adminKey, id)).json.status).toBe("cancelled");
    expect(await charges(org.orgId)).toHaveLength(0);
    expect(await contactCalls(name)).toBe(0);

    const again = await call("POST", `/v1/people/${id}/contact-enrichment/cancel?field=emails`, { key: org.adminKey });
    expect(again.status).toBe(409);
    expect(again.json.error.details).toMatchObject({ status: "cancelled" });
    expect((await postContact(org.adminKey, id)).status).toBe(202);
  });
});

describe("prepaid organizations", () => {
  it("answer 402 and create no record when the balance cannot hold the field's price", async () => {
    const org = await contactOrg("emails", { billingMode: "prepaid", initialCredits: 2 });
    const { id } = await newPerson(org.adminKey);
    const phones = await postContact(org.adminKey, id, "phones");
    expect(phones.status).toBe(402);
    expect(phones.json.error).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { required: 3, available: 2 } });
    expect((await getContact(org.adminKey, id, "phones")).status).toBe(404);

    const emails = await postContact(org.adminKey, id);
    expect(emails.status).toBe(202);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 2, reservedCredits: 2, availableCredits: 0 });
    await runTask(emails.json.id, org.orgId);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 0, reservedCredits: 0 });

    // With nothing left, the finished record is still answered: a repeat costs nothing.
    const repeat = await postContact(org.adminKey, id);
    expect(repeat.status).toBe(200);
    expect(repeat.json).toMatchObject({ id: emails.json.id, status: "finished" });
    const other = await newPerson(org.adminKey);
    expect((await postContact(org.adminKey, other.id)).status).toBe(402);
  });
});
