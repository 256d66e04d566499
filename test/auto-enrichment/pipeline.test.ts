import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { autoOrg, createPerson, entityOf, finishedJobs, jobsOf, personConfig, providerStats, putConfig } from "./support";

describe("an entity enriches itself", () => {
  it("is enriched within seconds of its creation: mapped fields filled, provenance recorded, charged once", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig());
    const id = await createPerson(org.adminKey, { fullName: "Ada Auto", email: "ada@example.com" });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job).toMatchObject({ trigger: "created", status: "succeeded", entityId: id, creditsCharged: 1 });
    expect(job.results[0]).toMatchObject({ integrationCode: "http_lookup", status: "succeeded", fieldsFilled: ["title", "companyName"] });
    const entity = await entityOf(org.adminKey, id);
    expect(entity.attributes).toMatchObject({ fullName: "Ada Auto", title: "Chief of Ada Auto", companyName: "Ada Auto Holdings" });
    expect(entity.attributeSources.title).toMatchObject({ source: "enrichment", integrationCode: "http_lookup", confidence: 0.9 });
    expect(entity.attributeSources.fullName).toMatchObject({ source: "customer", setByKeyId: org.adminKeyId });
    expect(entity.enriched.jobTitle).toMatchObject({ value: "Chief of Ada Auto", source: "http_lookup" });
    expect((await providerStats(org.scenario)).calls).toBe(1);
    // Its own writes do not trigger it again (title is a watched field here).
    await new Promise((r) => setTimeout(r, 300));
    expect(await jobsOf(org.adminKey, `entityId=${id}`)).toHaveLength(1);
    const plain = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(plain.json.attributeSources).toBeUndefined();
  });
});
