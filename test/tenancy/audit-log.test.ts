import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { ISO_TIME, UUID, auditEntries, detailPaths, expectError, newEntity, walkPages } from "./support";

describe("audit log: happy paths", () => {
  it("records the organization and its first key, by the operator (actorKeyId null)", async () => {
    const org = await createOrg({ name: "Audited", billingMode: "prepaid", initialCredits: 25 });
    const entries = await auditEntries(org.adminKey);
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e]));
    expect(Object.keys(byAction).sort()).toEqual(["api_key.created", "organization.created"]);
    expect(byAction["organization.created"]).toMatchObject({
      actorKeyId: null,
      targetType: "organization",
      targetId: org.orgId,
      data: { name: "Audited", billingMode: "prepaid", initialCredits: 25 },
    });
    expect(byAction["api_key.created"]).toMatchObject({ actorKeyId: null, targetType: "api_key", targetId: org.adminKeyId, data: { role: "admin" } });
    for (const e of entries) {
      expect(e.id).toMatch(UUID);
      expect(e.at).toMatch(ISO_TIME);
      expect(Object.keys(e).sort()).toEqual(["action", "actorKeyId", "at", "data", "id", "targetId", "targetType"]);
    }
  });

  it("records every write with the key that made it", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    const entity = await newEntity(member.key, { type: "person", externalId: "x-1", attributes: { fullName: "Ada" } });
    await call("PATCH", `/v1/entities/${entity.id}`, { key: member.key, body: { attributes: { title: "Countess" } } });
    await call("DELETE", `/v1/entities/${entity.id}`, { key: member.key });
    await call("DELETE", `/v1/api-keys/${member.id}`, { key: org.adminKey });

    const entries = await auditEntries(org.adminKey);
    const mine = entries.filter((e) => e.actorKeyId !== null).map((e) => [e.action, e.actorKeyId, e.targetType, e.targetId]);
    expect(mine).toEqual(
      expect.arrayContaining([
        ["api_key.created", org.adminKeyId, "api_key", member.id],
        ["entity.created", member.id, "entity", entity.id],
        ["entity.updated", member.id, "entity", entity.id],
        ["entity.deleted", member.id, "entity", entity.id],
        ["api_key.revoked", org.adminKeyId, "api_key", member.id],
      ]),
    );
    expect(mine).toHaveLength(5);
    const updated = entries.find((e) => e.action === "entity.updated");
    expect(updated?.data).toMatchObject({ changed: ["title"] });
  });

  it("reads write nothing and failed writes leave no entry", async () => {
    const org = await createOrg();
    const before = await auditEntries(org.adminKey);
    await call("GET", "/v1/entities", { key: org.adminKey });
    await call("GET", "/v1/api-keys", { key: org.adminKey });
    await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes: { email: "broken" } } });
    await call("DELETE", `/v1/entities/${crypto.randomUUID()}`, { key: org.adminKey });
    expect(await auditEntries(org.adminKey)).toEqual(before);
  });

  it("filters by action, targetType and targetId, alone or together", async () => {
    const org = await createOrg();
    const one = await newEntity(org.adminKey, { type: "person", attributes: {} });
    const two = await newEntity(org.adminKey, { type: "company", attributes: {} });
    await call("PATCH", `/v1/entities/${one.id}`, { key: org.adminKey, body: { attributes: { fullName: "One" } } });
    const viewer = await createKey(org.adminKey, "viewer");

    const pick = async (query: string) => (await auditEntries(org.adminKey, query)).map((e) => `${e.action}:${e.targetId}`).sort();
    expect(await pick("action=entity.created")).toEqual([`entity.created:${one.id}`, `entity.created:${two.id}`].sort());
    expect(await pick("targetType=entity")).toEqual(
      [`entity.created:${one.id}`, `entity.created:${two.id}`, `entity.updated:${one.id}`].sort(),
    );
    expect(await pick(`targetId=${one.id}`)).toEqual([`entity.created:${one.id}`, `entity.updated:${one.id}`]);
    expect(await pick(`targetType=entity&action=entity.updated&targetId=${one.id}`)).toEqual([`entity.updated:${one.id}`]);
    expect(await pick("targetType=api_key")).toEqual([`api_key.created:${org.adminKeyId}`, `api_key.created:${viewer.id}`].sort());
    expect(await pick("action=entity.deleted")).toEqual([]);
    expect(await pick(`action=entity.created&targetId=${org.adminKeyId}`)).toEqual([]);
  });

  it("lists newest first and pages without duplicates or gaps", async () => {
    const org = await createOrg();
    for (let i = 0; i < 6; i++) await newEntity(org.adminKey, { type: "person", attributes: {} });
    const all = await auditEntries(org.adminKey);
    expect(all).toHaveLength(8);
    const times = all.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    const pages = await walkPages(org.adminKey, "/v1/audit-log?limit=3");
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual(all.map((e) => e.id));
  });
});

describe("audit log: errors", () => {
  it.each([
    ["?limit=0", "limit"],
    ["?limit=201", "limit"],
    ["?cursor=%7B%7D", "cursor"],
    [`?action=${"a".repeat(101)}`, "action"],
    [`?targetId=${"a".repeat(256)}`, "targetId"],
  ])("GET /v1/audit-log%s is 400 naming %s", async (query, path) => {
    const org = await createOrg();
    const res = await call("GET", `/v1/audit-log${query}`, { key: org.adminKey });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res)).toContain(path);
  });
});

describe("audit log: security", () => {
  it("org A's entries never appear in org B's log, even when B filters by A's ids", async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    const entityA = await newEntity(orgA.adminKey, { type: "person", attributes: {} });
    await createKey(orgA.adminKey, "member");

    const logB = await auditEntries(orgB.adminKey);
    expect(logB.map((e) => e.targetId).sort()).toEqual([orgB.orgId, orgB.adminKeyId].sort());
    expect(JSON.stringify(logB)).not.toContain(orgA.orgId);
    expect(await auditEntries(orgB.adminKey, `targetId=${entityA.id}`)).toEqual([]);
    expect(await auditEntries(orgB.adminKey, `targetId=${orgA.orgId}`)).toEqual([]);
    expect(await auditEntries(orgB.adminKey, "action=entity.created")).toEqual([]);
    const pagesB = await walkPages(orgB.adminKey, "/v1/audit-log?limit=1");
    expect(pagesB.flat()).toHaveLength(2);
  });

  it("never records an API key's secret", async () => {
    const org = await createOrg();
    const made = await createKey(org.adminKey, "member");
    const log = JSON.stringify(await auditEntries(org.adminKey));
    expect(log).not.toContain(made.key);
    expect(log).not.toContain(org.adminKey);
  });
});
