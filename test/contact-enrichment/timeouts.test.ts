import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduledMaintenance } from "../../src/scheduled";
import { call } from "../helpers/api";
import { balance } from "../helpers/enrichment";
import { receiverUrl } from "../helpers/webhook-receiver";
import { ageRecord, contactOrg, getContact, newPerson, postContact, recordRow } from "./support";

describe("the maximum age of a pending record", () => {
  it("reads as timeout once past the default 800 s, is stored so, releases the hold, and a new POST starts afresh", async () => {
    const org = await contactOrg("hang", { billingMode: "prepaid", initialCredits: 10 });
    const { id } = await newPerson(org.adminKey);
    const first = await postContact(org.adminKey, id);
    await ageRecord(first.json.id, 799);
    expect((await getContact(org.adminKey, id)).json.status).toBe("pending");

    await ageRecord(first.json.id, 801);
    const read = await getContact(org.adminKey, id);
    expect(read.json).toMatchObject({ id: first.json.id, status: "timeout", dataFound: null, creditTransactionId: null });
    expect(read.json.error).toMatchObject({ code: "ENRICHMENT_TIMEOUT", category: "timeout" });
    expect(await recordRow(first.json.id)).toMatchObject({ status: "timeout" });
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 10, reservedCredits: 0 });

    const second = await postContact(org.adminKey, id);
    expect(second.status).toBe(202);
    expect(second.json.id).not.toBe(first.json.id);
    expect((await balance(org.adminKey)).reservedCredits).toBe(2);
  });

  it("is applied by a POST that finds a stale pending record: it is timed out and a new one starts", async () => {
    const org = await contactOrg("hang");
    const { id } = await newPerson(org.adminKey);
    const first = await postContact(org.adminKey, id);
    await ageRecord(first.json.id, 900);
    const second = await postContact(org.adminKey, id);
    expect(second.status).toBe(202);
    expect(second.json.id).not.toBe(first.json.id);
    expect(await recordRow(first.json.id)).toMatchObject({ status: "timeout" });
  });

  it("is applied by the cron sweep, which announces each timeout once and leaves fresh records alone", async () => {
    const org = await contactOrg("hang", { billingMode: "prepaid", initialCredits: 10 });
    const hook = await call("POST", "/v1/webhooks", { key: org.adminKey, body: { url: receiverUrl().url, events: ["contact_enrichment.finished"] } });
    expect(hook.status).toBe(201);
    const stale = await postContact(org.adminKey, (await newPerson(org.adminKey)).id);
    const fresh = await postContact(org.adminKey, (await newPerson(org.adminKey)).id, "phones");
    await ageRecord(stale.json.id, 3600);
    expect((await balance(org.adminKey)).reservedCredits).toBe(5);

    await runScheduledMaintenance(env, Date.now());
    await runScheduledMaintenance(env, Date.now());
    expect(await recordRow(stale.json.id)).toMatchObject({ status: "timeout" });
    expect(await recordRow(fresh.json.id)).toMatchObject({ status: "pending" });
    expect((await balance(org.adminKey)).reservedCredits).toBe(3);

    const { results } = await env.DB.prepare("SELECT payload FROM webhook_deliveries WHERE org_id = ? AND event_type = 'contact_enrichment.finished'")
      .bind(org.orgId)
      .all<{ payload: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]?.payload).toContain(stale.json.id);
    expect(results[0]?.payload).toContain('"status":"timeout"');
  });
});
