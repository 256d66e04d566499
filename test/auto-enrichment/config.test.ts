import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";

const path = "/v1/auto-enrichment/config";

describe("auto-enrichment configuration", () => {
  it("answers the defaults, off, until saved", async () => {
    const org = await createOrg();
    const viewer = await createKey(org.adminKey, "viewer");
    const res = await call("GET", path, { key: viewer.key });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      enabled: false,
      version: 0,
      updatedAt: null,
      entityTypes: {
        person: { enabled: true, integrationCodes: [], strategy: "all", requiredInputs: [], fieldMapping: {}, writePolicy: { default: "fillEmpty", fields: {} }, minConfidence: 0.6 },
        company: { enabled: true, minConfidence: 0.6 },
      },
      triggers: { onCreate: true, onUpdate: { enabled: true }, onImport: false, staleness: { enabled: false, refreshAfterDays: 30, maxEntitiesPerRun: 500 }, cooldownHours: 24 },
      budget: { dailyCredits: null, monthlyCredits: null, timezone: "UTC" },
      conflicts: { autoAccept: { enabled: false, minConfidence: 0.9, requireNewer: true } },
    });
  });

  it("PUT replaces (omitted fields take defaults), PATCH merges, each a version audited with before and after", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    const body = { enabled: true, entityTypes: { company: { integrationCodes: ["gleif_lei"], fieldMapping: { legalName: "name" } } }, budget: { dailyCredits: 50 } };
    expect((await call("PUT", path, { key: member.key, body })).status).toBe(403);
    const put = await call("PUT", path, { key: org.adminKey, body });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ version: 1, updatedByKeyId: org.adminKeyId, enabled: true, budget: { dailyCredits: 50, monthlyCredits: null, timezone: "UTC" } });
    expect(put.json.entityTypes.person.integrationCodes).toEqual([]);
    const patched = await call("PATCH", path, {
      key: org.adminKey,
      body: { budget: { dailyCredits: null, monthlyCredits: 900 }, entityTypes: { person: { integrationCodes: ["phone_normalize"], writePolicy: { fields: { phone: "review" } } } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      version: 2,
      enabled: true,
      budget: { dailyCredits: null, monthlyCredits: 900 },
      entityTypes: { company: { integrationCodes: ["gleif_lei"] }, person: { integrationCodes: ["phone_normalize"], writePolicy: { default: "fillEmpty", fields: { phone: "review" } } } },
    });
    // A full round trip: GET, edit, PUT with the version read; a stale version is refused.
    const read = (await call("GET", path, { key: org.adminKey })).json;
    const again = await call("PUT", path, { key: org.adminKey, body: { ...read, enabled: false } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ version: 3, enabled: false, budget: { monthlyCredits: 900 } });
    const stale = await call("PUT", path, { key: org.adminKey, body: { ...read, enabled: true } });
    expect(stale.status).toBe(409);
    const empty = await call("PUT", path, { key: org.adminKey, body: {} });
    expect(empty.json).toMatchObject({ version: 4, enabled: false, budget: { monthlyCredits: null } });

    const audit = await call("GET", "/v1/audit-log?action=auto_enrichment.config_updated", { key: org.adminKey });
    expect(audit.json.data).toHaveLength(4);
    const second = audit.json.data.find((a: { data: { version: number } }) => a.data.version === 2);
    expect(second.data.before.budget).toMatchObject({ dailyCredits: 50, monthlyCredits: null });
    expect(second.data.after.budget).toMatchObject({ dailyCredits: null, monthlyCredits: 900 });
    expect(audit.json.data.find((a: { data: { version: number } }) => a.data.version === 1).data.before).toBeNull();
    const versions = await call("GET", `${path}/versions?limit=3`, { key: org.adminKey });
    expect(versions.json.data.map((v: { version: number }) => v.version)).toEqual([4, 3, 2]);
    const older = await call("GET", `${path}/versions?limit=3&cursor=${versions.json.nextCursor}`, { key: org.adminKey });
    expect(older.json).toMatchObject({ data: [{ version: 1, config: { budget: { dailyCredits: 50 } } }], nextCursor: null });
  });

  it("refuses unknown integrations, groups, attributes and enriched fields with a 400 naming each path", async () => {
    const org = await createOrg();
    const res = await call("PUT", path, {
      key: org.adminKey,
      body: {
        entityTypes: {
          person: {
            integrationCodes: ["phone_normalize", "nope_nope", "gleif_lei"],
            enrichmentGroupRefs: ["no-such-group"],
            requiredInputs: [["email"], ["shoeSize"]],
            fieldMapping: { jobTitle: "title", notAField: "title2", legalName: "companyName", phoneE164: "title" },
            writePolicy: { fields: { bogus: "overwrite" } },
          },
        },
        triggers: { onUpdate: { fields: ["email", "whatever"] } },
        budget: { timezone: "Mars/Olympus" },
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("VALIDATION_ERROR");
    expect(res.json.error.details.map((d: { path: string }) => d.path)).toEqual([
      "entityTypes.person.integrationCodes.1",
      "entityTypes.person.integrationCodes.2",
      "entityTypes.person.enrichmentGroupRefs.0",
      "entityTypes.person.requiredInputs.1.0",
      "entityTypes.person.fieldMapping.notAField",
      "entityTypes.person.fieldMapping.notAField",
      "entityTypes.person.fieldMapping.legalName",
      "entityTypes.person.fieldMapping.phoneE164",
      "entityTypes.person.writePolicy.fields.bogus",
      "triggers.onUpdate.fields.1",
      "budget.timezone",
    ]);
    const shapes = await call("PATCH", path, { key: org.adminKey, body: { entityTypes: { person: { minConfidence: 2, strategy: "random" } }, extra: 1 } });
    expect(shapes.status).toBe(400);
    expect(shapes.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["entityTypes.person.minConfidence", "entityTypes.person.strategy", "extra"]);
    expect((await call("GET", path, { key: org.adminKey })).json.version).toBe(0);
    const group = await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { slug: "phones", name: "Phones", integrationCodes: ["phone_normalize"] } });
    expect(group.status).toBe(201);
    const ok = await call("PATCH", path, { key: org.adminKey, body: { entityTypes: { person: { enrichmentGroupRefs: ["phones"], fieldMapping: { "custom.score": "custom.score" } } } } });
    expect(ok.status).toBe(200);
  });
});
