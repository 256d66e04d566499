import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { handleContactEnrichmentTask } from "../../src/features/contact-enrichment/task.queue";
import { call, createOrg } from "../helpers/api";
import { balance } from "../helpers/enrichment";
import { receiverUrl } from "../helpers/webhook-receiver";
import { type Behaviour, ageRecord, charges, contactCalls, contactOrg, getContact, newPerson, postContact, recordRow, runTask } from "./support";

async function started(behaviour: Behaviour, opts: Parameters<typeof contactOrg>[1] = {}, field = "emails", attributes: Record<string, unknown> = {}) {
  const org = await contactOrg(behaviour, opts);
  const p = await newPerson(org.adminKey, undefined, attributes);
  const res = await postContact(org.adminKey, p.id, field);
  if (res.status !== 202) throw new Error(`start: ${res.status} ${res.text}`);
  return { org, person: p, recordId: res.json.id as string };
}

describe("the contact_enrichment task", () => {
  it("finishes with the emails found, one charge at the emails price, and the provenance records", async () => {
    const { org, person, recordId } = await started("emails");
    await runTask(recordId, org.orgId);

    const res = await getContact(org.adminKey, person.id);
    const local = person.name.toLowerCase().replace(/[^a-z0-9]+/g, ".");
    expect(res.json).toMatchObject({ id: recordId, status: "finished", error: null, globalEnrichmentId: null });
    expect(res.json.dataFound).toEqual([
      { value: `${local}@example.test`, source: "http_lookup", confidence: 0.85 },
      { value: `${local}.alt@example.test`, source: "http_lookup", confidence: 0.85 },
    ]);
    expect(Date.parse(res.json.updatedAt)).toBeGreaterThanOrEqual(Date.parse(res.json.createdAt));

    const [charge, ...more] = await charges(org.orgId);
    expect(more).toHaveLength(0);
    expect(charge).toMatchObject({ amount: -2, enrichment_id: recordId, integration_code: "contact_enrichment:emails" });
    expect(res.json.creditTransactionId).toBe(charge?.id);
    expect((await balance(org.adminKey)).creditBalance).toBe(-2);

    // The underlying integration run is recorded, uncharged (the contact price replaces it), and fills the entity.
    const records = await call("GET", `/v1/entities/${person.id}/enrichments`, { key: org.adminKey });
    expect(records.json.data).toHaveLength(1);
    expect(records.json.data[0]).toMatchObject({ integrationCode: "http_lookup", status: "succeeded", credits: 0, costCents: 4 });
    const entity = await call("GET", `/v1/entities/${person.id}`, { key: org.adminKey });
    expect(entity.json.enriched.email).toMatchObject({ value: `${local}@example.test`, source: "http_lookup" });
    const audit = await call("GET", `/v1/audit-log?action=contact_enrichment.finished&targetId=${recordId}`, { key: org.adminKey });
    expect(audit.json.data).toHaveLength(1);
  });

  it("finds phones as E.164 numbers without duplicates and charges the phones price", async () => {
    const { org, person, recordId } = await started("phones", {}, "phones", { country: "GB" });
    await runTask(recordId, org.orgId);
    const res = await getContact(org.adminKey, person.id, "phones");
    expect(res.json.status).toBe("finished");
    // phone and phoneNational are the same number; phoneValid is not a number at all.
    expect(res.json.dataFound.map((f: { value: string }) => f.value)).toEqual(["+442079460018", "+16502530000"]);
    expect((await charges(org.orgId)).map((c) => c.amount)).toEqual([-3]);
  });

  it("charges exactly once when the message is delivered twice, one after the other or at once", async () => {
    const { org, person, recordId } = await started("emails", { billingMode: "prepaid", initialCredits: 10 });
    await runTask(recordId, org.orgId);
    await runTask(recordId, org.orgId);
    expect(await contactCalls(person.name)).toBe(1);

    const racing = await started("emails", { billingMode: "prepaid", initialCredits: 10 });
    await Promise.all([1, 2, 3].map(() => runTask(racing.recordId, racing.org.orgId)));

    for (const { org: o, recordId: id } of [{ org, recordId }, racing]) {
      const ledger = await charges(o.orgId);
      expect(ledger).toHaveLength(1);
      expect(ledger[0]?.amount).toBe(-2);
      expect(await balance(o.adminKey)).toMatchObject({ creditBalance: 8, reservedCredits: 0, availableCredits: 8 });
      expect((await recordRow(id))?.credit_transaction_id).toBe(ledger[0]?.id);
      const audit = await call("GET", `/v1/audit-log?action=contact_enrichment.finished&targetId=${id}`, { key: o.adminKey });
      expect(audit.json.data).toHaveLength(1);
    }
  });

  it.each([
    ["500", { code: "HTTP_500", category: "provider_failure" }],
    ["nodata", { code: "NO_DATA", category: "no_data" }],
    ["nothing", { code: "NO_DATA", category: "no_data" }],
  ] as const)("fails without charging when the provider answers %s, and gives the hold back", async (behaviour, expected) => {
    const { org, person, recordId } = await started(behaviour, { billingMode: "prepaid", initialCredits: 5 });
    expect((await balance(org.adminKey)).reservedCredits).toBe(2);
    await runTask(recordId, org.orgId);
    const res = await getContact(org.adminKey, person.id);
    expect(res.json).toMatchObject({ status: "failed", dataFound: null, creditTransactionId: null, error: expected });
    expect(typeof res.json.error.message).toBe("string");
    expect(Object.keys(res.json.error).sort()).toEqual(["category", "code", "message"]);
    expect(await charges(org.orgId)).toHaveLength(0);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 5, reservedCredits: 0 });
  });

  it("runs through the provider-calls queue consumer, which acks a duplicate message that charges nothing", async () => {
    const { org, person, recordId } = await started("emails");
    const body = { kind: "contact_enrichment", recordId, orgId: org.orgId };
    const batch = createMessageBatch("provider-calls", [
      { id: "first", timestamp: new Date(), attempts: 1, body },
      { id: "duplicate", timestamp: new Date(), attempts: 1, body },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect([...result.explicitAcks].sort()).toEqual(["duplicate", "first"]);
    expect(result.retryMessages).toEqual([]);
    expect((await getContact(org.adminKey, person.id)).json.status).toBe("finished");
    expect((await charges(org.orgId)).map((c) => c.amount)).toEqual([-2]);
  });

  it("sets globalEnrichmentId when the data came from the global cache", async () => {
    const a = await contactOrg("emails");
    const b = await contactOrg("emails");
    const name = `Grace ${crypto.randomUUID().slice(0, 8)}`;
    const pa = await newPerson(a.adminKey, name);
    const pb = await newPerson(b.adminKey, name);
    const ra = await postContact(a.adminKey, pa.id);
    await runTask(ra.json.id, a.orgId);
    const rb = await postContact(b.adminKey, pb.id);
    await runTask(rb.json.id, b.orgId);

    const first = (await getContact(a.adminKey, pa.id)).json;
    const second = (await getContact(b.adminKey, pb.id)).json;
    expect(first.globalEnrichmentId).toBeNull();
    expect(second.globalEnrichmentId).toMatch(/^ge_/);
    expect(second.dataFound).toEqual(first.dataFound);
    expect(await contactCalls(name)).toBe(1);
    // A cache hit is still a finished search: charged at the contact price.
    expect((await charges(b.orgId)).map((c) => c.amount)).toEqual([-2]);
  });

  it("publishes contact_enrichment.finished once, to the organization's subscribed webhooks", async () => {
    const org = await contactOrg("emails");
    const hook = await call("POST", "/v1/webhooks", { key: org.adminKey, body: { url: receiverUrl().url, events: ["contact_enrichment.finished"] } });
    expect(hook.status).toBe(201);
    const recordId = (await postContact(org.adminKey, (await newPerson(org.adminKey)).id)).json.id;
    await runTask(recordId, org.orgId);
    await runTask(recordId, org.orgId);
    const { results } = await env.DB.prepare("SELECT event_type, payload FROM webhook_deliveries WHERE org_id = ?")
      .bind(org.orgId)
      .all<{ event_type: string; payload: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]?.event_type).toBe("contact_enrichment.finished");
    expect(results[0]?.payload).toContain(recordId);
    expect(results[0]?.payload).toContain('"status":"finished"');
  });

  it("times out a record that waited past the maximum age without calling the provider", async () => {
    const { org, person, recordId } = await started("emails", { billingMode: "prepaid", initialCredits: 5 });
    await ageRecord(recordId, 801);
    await runTask(recordId, org.orgId);
    expect(await recordRow(recordId)).toMatchObject({ status: "timeout" });
    expect(await contactCalls(person.name)).toBe(0);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 5, reservedCredits: 0 });
  });

  it("fails a record whose person was deleted, and drops malformed or unknown messages", async () => {
    const { org, person, recordId } = await started("emails");
    expect((await call("DELETE", `/v1/entities/${person.id}`, { key: org.adminKey })).status).toBe(204);
    await runTask(recordId, org.orgId);
    expect(await recordRow(recordId)).toMatchObject({ status: "failed" });
    expect(JSON.parse(String((await recordRow(recordId))?.error))).toMatchObject({ code: "NOT_FOUND" });

    await expect(handleContactEnrichmentTask({ kind: "contact_enrichment" }, env)).resolves.toBeUndefined();
    await expect(runTask(crypto.randomUUID(), org.orgId)).resolves.toBeUndefined();
    // Another organization's id never reaches this organization's record.
    const other = await started("emails");
    await runTask(other.recordId, org.orgId);
    expect(await recordRow(other.recordId)).toMatchObject({ status: "pending" });
  });

  it("without an order group uses the default order: email_discover for emails; phones need a provider key", async () => {
    const org = await createOrg();
    const p = await newPerson(org.adminKey, "Ada Lovelace", { companyDomain: "initech.io", phone: "020 7946 0018", country: "GB" });
    const emails = await postContact(org.adminKey, p.id, "emails");
    await runTask(emails.json.id, org.orgId);

    const foundEmails = (await getContact(org.adminKey, p.id, "emails")).json;
    expect(foundEmails.status).toBe("finished");
    expect(foundEmails.dataFound.length).toBeGreaterThan(1);
    for (const f of foundEmails.dataFound) {
      expect(f.source).toBe("email_discover");
      expect(f.value).toMatch(/@initech\.io$/);
      expect(f.confidence).toBeGreaterThan(0);
    }
    // Ranked candidates keep their own confidence, best first.
    const confidences = foundEmails.dataFound.map((f: { confidence: number }) => f.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));

    // pdl_person_enrich and hunter_email_finder are the phone sources; neither has its key here, so nothing starts.
    const phones = await postContact(org.adminKey, p.id, "phones");
    expect(phones.status).toBe(422);
    expect(phones.json.error.details).toEqual([
      { integrationCode: "pdl_person_enrich", reason: "not_enabled", message: "Not enabled for this organization" },
      { integrationCode: "hunter_email_finder", reason: "not_enabled", message: "Not enabled for this organization" },
    ]);
    expect((await charges(org.orgId)).map((c) => c.amount)).toEqual([-2]);
  });
});

describe("what the search finds", () => {
  it("a phone the person already has is no discovery: nothing found, nothing charged, the hold released", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 10 });
    // phone_normalize answers the person's own number in E.164, so as the only phone source it can find nothing new.
    const group = await call("POST", "/v1/enrichment-groups", {
      key: org.adminKey,
      body: { slug: "contact-phones", name: "Phones", integrationCodes: ["phone_normalize"] },
    });
    expect(group.status).toBe(201);
    const p = await newPerson(org.adminKey, "Ada Lovelace", { phone: "020 7946 0018", country: "GB" });
    const res = await postContact(org.adminKey, p.id, "phones");
    expect(res.status).toBe(202);
    expect(await balance(org.adminKey)).toMatchObject({ reservedCredits: 3 });
    await runTask(res.json.id, org.orgId);

    const got = await getContact(org.adminKey, p.id, "phones");
    expect(got.json).toMatchObject({
      status: "failed",
      dataFound: null,
      creditTransactionId: null,
      error: { code: "NO_DATA", category: "no_data", message: "No phones found other than the person's own (tried phone_normalize)" },
    });
    expect(await charges(org.orgId)).toHaveLength(0);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 10, reservedCredits: 0 });
    // Failed, so a later request may search again (e.g. once a provider is configured).
    expect((await postContact(org.adminKey, p.id, "phones")).status).toBe(202);
  });

  it("drops the person's own address from what it found and charges for the new one", async () => {
    const org = await contactOrg("emails");
    const name = `Ada ${crypto.randomUUID().slice(0, 8)}`;
    const local = name.toLowerCase().replace(/[^a-z0-9]+/g, ".");
    // The fake answers <name>@example.test and <name>.alt@example.test; the person already has the first, in capitals.
    const p = await newPerson(org.adminKey, name, { email: `${local.toUpperCase()}@EXAMPLE.TEST` });
    const res = await postContact(org.adminKey, p.id);
    await runTask(res.json.id, org.orgId);
    const got = await getContact(org.adminKey, p.id);
    expect(got.json.status).toBe("finished");
    expect(got.json.dataFound).toEqual([{ value: `${local}.alt@example.test`, source: "http_lookup", confidence: 0.85 }]);
    expect((await charges(org.orgId)).map((c) => c.amount)).toEqual([-2]);
  });

  it("names the integration once in a failure message, never twice", async () => {
    const org = await createOrg();
    // email_discover's declared inputs are there, but the name has no Latin letters to build an address from.
    const p = await newPerson(org.adminKey, "李小龙", { companyDomain: "initech.io" });
    const res = await postContact(org.adminKey, p.id, "emails");
    expect(res.status).toBe(202);
    await runTask(res.json.id, org.orgId);
    const got = await getContact(org.adminKey, p.id, "emails");
    expect(got.json).toMatchObject({ status: "failed", error: { code: "MISSING_INPUT", category: "validation" } });
    expect(got.json.error.message).toBe("email_discover: Needs a first and last name (or a full name) written in Latin letters");
    // The enrichment record underneath carries the integration beside the message, which does not repeat it.
    const records = await call("GET", `/v1/entities/${p.id}/enrichments`, { key: org.adminKey });
    expect(records.json.data[0]).toMatchObject({ integrationCode: "email_discover", error: { code: "MISSING_INPUT" } });
    expect(records.json.data[0].error.message).not.toContain("email_discover");
  });
});
