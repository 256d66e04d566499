import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { enrich } from "../helpers/enrichment";
import { admin } from "./helpers";

describe("sanctions screening before any list is loaded", () => {
  it("reports no list and fails the screening instead of answering 'no hit'", async () => {
    const status = await call("GET", "/v1/admin/sanctions/status", { headers: admin });
    expect(status.json).toMatchObject({ loaded: false, entries: 0, names: 0, loadedAt: null, source: null, active: null, imports: [] });

    const org = await createOrg({ billingMode: "prepaid", initialCredits: 3 });
    const created = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes: { fullName: "Nicolas Maduro Moros" } } });
    const res = await enrich(org.adminKey, created.json.id, { integrationCodes: ["sanctions_screen"] });
    expect(res.json.results[0]).toMatchObject({ success: false, credits: 0, error: { code: "SYSTEM", category: "system" } });
    expect(res.json.results[0].error.message).toContain("No sanctions list is loaded");
    expect((await call("GET", "/v1/credits", { key: org.adminKey })).json.creditBalance).toBe(3);

    const clear = await call("POST", "/v1/screening/cleared", { key: org.adminKey, body: { entityId: created.json.id, sdnId: 22790 } });
    expect(clear.status).toBe(404);
  });
});
