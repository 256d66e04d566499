import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { enrich, person } from "../helpers/enrichment";
import { dohCalls } from "./context";

/**
 * email_validate through the API when the DNS-over-HTTPS resolver (the fake on 127.0.0.1) fails in each way it
 * can: the documented `unknown` verdict with the reason, a successful result, never cached.
 */
describe("email_validate with a failing DNS-over-HTTPS resolver", () => {
  it.each([
    ["resolver-500.net", "mx_lookup_failed: the resolver answered HTTP 500", 2],
    ["resolver-hangs.net", "mx_lookup_failed: the resolver did not answer within 2000 ms", 1],
    ["resolver-closes.net", "mx_lookup_failed: the resolver could not be reached", 2],
    ["resolver-garbage.net", "mx_lookup_failed: the resolver answered something other than dns-json", 1],
  ])("%s: unknown with the reason, charged as an answer, asked again next time", async (domain, reason, queriesPerRun) => {
    const org = await createOrg();
    const id = await person(org.adminKey, { fullName: "Ada Lovelace", email: `ada.${crypto.randomUUID().slice(0, 8)}@${domain}` });
    const before = await dohCalls(domain);

    const first = await enrich(org.adminKey, id, { integrationCodes: ["email_validate"] });
    expect(first.status).toBe(200);
    const [result] = first.json.results;
    expect(result).toMatchObject({ integrationCode: "email_validate", success: true, status: "succeeded", cached: false, credits: 1 });
    expect(result.error).toBeUndefined();
    expect(result.result.enrichmentData.verdict).toBe("unknown");
    expect(result.result.enrichmentData.reasons[0].startsWith(reason)).toBe(true);
    expect(result.result.enrichmentData.mailDomain).toMatchObject({ status: "dns_failure", mx: [] });
    expect(result.result.summary).toContain("unknown (mx_lookup_failed: the resolver");
    expect(result.result.fieldsEnriched).not.toContain("emailAcceptsMail");
    expect((await dohCalls(domain)) - before).toBe(queriesPerRun);

    // Not cached: the same address is looked up again (the resolver may be back by then).
    const second = await enrich(org.adminKey, id, { integrationCodes: ["email_validate"] });
    expect(second.json.results[0]).toMatchObject({ success: true, cached: false });
    expect((await dohCalls(domain)) - before).toBe(2 * queriesPerRun);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(entity.json.enriched.emailVerdict).toMatchObject({ value: "unknown", source: "email_validate" });
  });

  it("a resolver that comes back gives the real verdict (the unknown one was not kept)", async () => {
    const org = await createOrg();
    // servfail.net answers SERVFAIL: unknown, not cached; acme-widgets.com then answers normally.
    const a = await person(org.adminKey, { fullName: "Ada Lovelace", email: "ada@servfail.net" });
    const res = await enrich(org.adminKey, a, { integrationCodes: ["email_validate"] });
    expect(res.json.results[0].result.enrichmentData.reasons[0]).toBe("mx_lookup_failed: the domain's DNS answered SERVFAIL");
    const again = await enrich(org.adminKey, a, { integrationCodes: ["email_validate"] });
    expect(again.json.results[0].cached).toBe(false);
    const b = await person(org.adminKey, { fullName: "Ada Lovelace", email: "ada@acme-widgets.com" });
    const ok = await enrich(org.adminKey, b, { integrationCodes: ["email_validate"] });
    expect(ok.json.results[0].result.enrichmentData).toMatchObject({ verdict: "deliverable", reasons: ["mx_found"] });
    const cached = await enrich(org.adminKey, b, { integrationCodes: ["email_validate"] });
    expect(cached.json.results[0].cached).toBe(true);
  });
});
