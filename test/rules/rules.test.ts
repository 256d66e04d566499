import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { createRule } from "./helpers";

const country = { fact: "entity.attributes.country", operator: "in", value: ["IR", "KP"] };
const base = { name: "High-risk country", events: ["entity.created", "entity.updated"], conditions: country };

async function badRule(key: string, body: unknown) {
  const res = await call("POST", "/v1/rules", { key, body });
  expect(res.status, res.text).toBe(400);
  expect(res.json.error.code).toBe("VALIDATION_ERROR");
  return (res.json.error.details as { path: string; message: string }[]).map((d) => d.path);
}

describe("rules", () => {
  it("creates with defaults, lists with filters, reads, and every change is a new version", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const rule = await createRule(key, base);
    expect(rule).toMatchObject({
      name: "High-risk country",
      description: null,
      status: "draft",
      priority: 50,
      events: ["entity.created", "entity.updated"],
      entityTypes: ["person", "company"],
      integrationCodes: null,
      conditions: country,
      score: 0,
      actions: [],
      version: 1,
      createdByKeyId: org.adminKeyId,
    });
    const other = await createRule(key, { ...base, name: "Shadowed", status: "shadow", events: ["enrichment.completed"], entityTypes: ["company"] });

    const all = await call("GET", "/v1/rules", { key });
    expect(all.json.data.map((r: { id: string }) => r.id)).toEqual([other.id, rule.id]);
    expect((await call("GET", "/v1/rules?status=shadow", { key })).json.data.map((r: { id: string }) => r.id)).toEqual([other.id]);
    expect((await call("GET", "/v1/rules?event=entity.created", { key })).json.data.map((r: { id: string }) => r.id)).toEqual([rule.id]);
    expect((await call("GET", "/v1/rules?entityType=company", { key })).json.data.map((r: { id: string }) => r.id)).toEqual([other.id, rule.id]);
    expect((await call("GET", `/v1/rules/${rule.id}`, { key })).json).toEqual(rule);

    const patched = await call("PATCH", `/v1/rules/${rule.id}`, { key, body: { status: "active", score: 40, actions: [{ type: "set_risk" }] } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ status: "active", score: 40, version: 2, conditions: country });
    // A PATCH that changes nothing makes no version.
    const same = await call("PATCH", `/v1/rules/${rule.id}`, { key, body: { score: 40 } });
    expect(same.json.version).toBe(2);

    const versions = await call("GET", `/v1/rules/${rule.id}/versions`, { key });
    expect(versions.json.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.json.data[1].definition).toMatchObject({ status: "draft", score: 0, actions: [] });
    expect(versions.json.data[0].definition).toMatchObject({ status: "active", score: 40, actions: [{ type: "set_risk" }] });
    const page = await call("GET", `/v1/rules/${rule.id}/versions?limit=1`, { key });
    const next = await call("GET", `/v1/rules/${rule.id}/versions?limit=1&cursor=${page.json.nextCursor}`, { key });
    expect(next.json).toMatchObject({ data: [{ version: 1 }], nextCursor: null });

    // DELETE archives: a new version, the rule stays readable, and archiving again changes nothing.
    expect((await call("DELETE", `/v1/rules/${rule.id}`, { key })).status).toBe(204);
    expect((await call("DELETE", `/v1/rules/${rule.id}`, { key })).status).toBe(204);
    expect((await call("GET", `/v1/rules/${rule.id}`, { key })).json).toMatchObject({ status: "archived", version: 3 });
    const audit = await call("GET", `/v1/audit-log?targetId=${rule.id}`, { key });
    expect(audit.json.data.map((a: { action: string }) => a.action)).toEqual(["rule.archived", "rule.updated", "rule.created"]);
  });

  it("concurrent changes of one version: one wins, the other is a 409, and no version is lost", async () => {
    const { adminKey: key } = await createOrg();
    const rule = await createRule(key, base);
    const answers = await Promise.all([10, 20, 30, 40].map((score) => call("PATCH", `/v1/rules/${rule.id}`, { key, body: { score } })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const final = (await call("GET", `/v1/rules/${rule.id}`, { key })).json;
    const versions = (await call("GET", `/v1/rules/${rule.id}/versions`, { key })).json.data;
    expect(versions).toHaveLength(final.version);
    expect(versions[0].definition.score).toBe(final.score);
    expect(final.version).toBe(1 + statuses.filter((s) => s === 200).length);
  });

  it("a bad rule is a 400 naming each failing field", async () => {
    const { adminKey: key } = await createOrg();
    expect(await badRule(key, { ...base, conditions: { all: [{ fact: "entity.attributes.country", operator: "like", value: "x" }] } })).toEqual(["conditions.all.0.operator"]);
    expect(await badRule(key, { ...base, conditions: { all: [{ fact: "entity.attribute.country", operator: "eq", value: "x" }] } })).toEqual(["conditions.all.0.fact"]);
    expect(await badRule(key, { ...base, conditions: { any: [country, { fact: "entity.__proto__.x", operator: "eq", value: 1 }] } })).toEqual(["conditions.any.1.fact"]);
    expect(await badRule(key, { ...base, conditions: { fact: "results.x.y", operator: "in", value: "IR" } })).toEqual(["conditions.value"]);
    expect(await badRule(key, { ...base, conditions: { fact: "results.x.y", operator: "gt" } })).toEqual(["conditions.value"]);
    expect(await badRule(key, { ...base, conditions: { fact: "results.x.y", operator: "matches", value: "(a" } })).toEqual(["conditions.value"]);
    expect(await badRule(key, { ...base, conditions: { fact: "results.x.y", operator: "matches", value: "(?<=a)b" } })).toEqual(["conditions.value"]);
    expect(await badRule(key, { ...base, conditions: { fact: "results.x.y", operator: "matches", value: "a".repeat(257) } })).toEqual(["conditions.value"]);
    expect(await badRule(key, { ...base, conditions: { all: [country], fact: "entity.type" } })).toEqual(["conditions.fact"]);
    expect(await badRule(key, { ...base, conditions: { all: [country], operator: "eq" } })).toEqual(["conditions.operator"]);
    expect(await badRule(key, { ...base, conditions: { not: {} } })).toEqual(["conditions.not"]);
    expect(await badRule(key, { ...base, conditions: { all: [] } })).toEqual(["conditions.all"]);
    expect(await badRule(key, { ...base, conditions: { all: [{ ...country, where: 1 }] } })).toEqual(["conditions.all.0.where"]);
    const deep = [1, 2, 3, 4, 5, 6].reduce<Record<string, unknown>>((inner) => ({ not: inner }), country);
    expect(await badRule(key, { ...base, conditions: deep })).toEqual(["conditions"]);
    expect(await badRule(key, { ...base, conditions: { all: Array.from({ length: 51 }, () => country) } })).toEqual(["conditions.all"]);
    expect(await badRule(key, { ...base, events: ["entity.deleted"] })).toEqual(["events.0"]);
    expect(await badRule(key, { ...base, events: ["entity.created", "entity.created"] })).toEqual(["events.1"]);
    expect(await badRule(key, { ...base, integrationCodes: ["sanctions_screen"] })).toEqual(["integrationCodes"]);
    expect(await badRule(key, { ...base, score: 101, priority: 0 })).toEqual(["priority", "score"]);
    expect(await badRule(key, { ...base, status: "archived" })).toEqual(["status"]);
    expect(await badRule(key, { ...base, actions: [{ type: "create_alert", severity: "urgent", title: "x" }] })).toEqual(["actions.0.severity"]);
    expect(await badRule(key, { ...base, actions: [{ type: "add_tag", tag: "Not A Tag" }] })).toEqual(["actions.0.tag"]);
    expect(await badRule(key, { ...base, actions: [{ type: "notify" }] })).toEqual(["actions.0.type"]);
    expect(await badRule(key, { ...base, actions: [{ type: "set_risk" }, { type: "set_risk" }] })).toEqual(["actions.1.type"]);
    expect(await badRule(key, { ...base, actions: [{ type: "run_enrichment", integrationCodes: ["no_such_code"] }] })).toEqual(["actions.0.integrationCodes"]);
    expect(await badRule(key, { ...base, events: ["enrichment.completed"], integrationCodes: ["no_such_code"] })).toEqual(["integrationCodes"]);
    expect(await badRule(key, { ...base, colour: "red" })).toEqual(["colour"]);

    const rule = await createRule(key, base);
    const patch = await call("PATCH", `/v1/rules/${rule.id}`, { key, body: { integrationCodes: ["phone_normalize"] } });
    expect(patch.status).toBe(400);
    expect(patch.json.error.details.map((d: { path: string }) => d.path)).toEqual(["integrationCodes"]);
    expect((await call("PATCH", `/v1/rules/${rule.id}`, { key, body: {} })).status).toBe(400);
    expect((await call("GET", `/v1/rules/${rule.id}`, { key })).json.version).toBe(1);
  });

  it("roles: viewers read, members test, admins write", async () => {
    const org = await createOrg();
    const viewer = await createKey(org.adminKey, "viewer");
    const member = await createKey(org.adminKey, "member");
    const rule = await createRule(org.adminKey, base);
    expect((await call("GET", `/v1/rules/${rule.id}`, { key: viewer.key })).status).toBe(200);
    expect((await call("POST", "/v1/rules", { key: member.key, body: base })).status).toBe(403);
    expect((await call("PATCH", `/v1/rules/${rule.id}`, { key: member.key, body: { score: 1 } })).status).toBe(403);
    expect((await call("POST", `/v1/rules/${rule.id}/test`, { key: viewer.key, body: { facts: {} } })).status).toBe(403);
    expect((await call("POST", `/v1/rules/${rule.id}/test`, { key: member.key, body: { facts: {} } })).status).toBe(200);
  });

  it("another organization's rules, versions, alerts and evaluations answer like unknown ids", async () => {
    const mine = await createOrg();
    const theirs = await createOrg();
    const rule = await createRule(theirs.adminKey, { ...base, status: "active", actions: [{ type: "create_alert", severity: "low", title: "x" }] });
    const entity = await call("POST", "/v1/entities", { key: theirs.adminKey, body: { type: "person", attributes: { fullName: "X", country: "IR" } } });
    const evaluated = await call("POST", `/v1/entities/${entity.json.id}/rules/evaluate`, { key: theirs.adminKey });
    const alertId = evaluated.json.evaluations[0].actions[0].alertId;
    expect(alertId).toBeTruthy();
    const key = mine.adminKey;
    const unknown = crypto.randomUUID();
    for (const [method, path, body] of [
      ["GET", "/v1/rules/%", undefined],
      ["PATCH", "/v1/rules/%", { score: 1 }],
      ["DELETE", "/v1/rules/%", undefined],
      ["GET", "/v1/rules/%/versions", undefined],
      ["POST", "/v1/rules/%/test", { facts: {} }],
    ] as const) {
      const theirsRes = await call(method, path.replace("%", rule.id), { key, body });
      const unknownRes = await call(method, path.replace("%", unknown), { key, body });
      expect(theirsRes.status).toBe(404);
      expect(theirsRes.text).toBe(unknownRes.text);
    }
    for (const [method, path, body] of [
      ["GET", "/v1/alerts/%", undefined],
      ["POST", "/v1/alerts/%/acknowledge", undefined],
      ["POST", "/v1/alerts/%/resolve", { resolution: "false_positive" }],
    ] as const) {
      const theirsRes = await call(method, path.replace("%", alertId), { key, body });
      expect(theirsRes.status).toBe(404);
      expect(theirsRes.text).toBe((await call(method, path.replace("%", unknown), { key, body })).text);
    }
    for (const path of [`/v1/entities/${entity.json.id}/risk`, `/v1/entities/${entity.json.id}/rules/evaluate`]) {
      const method = path.endsWith("evaluate") ? "POST" : "GET";
      expect((await call(method, path, { key })).status).toBe(404);
    }
    expect((await call("GET", `/v1/rules/evaluations?ruleId=${rule.id}`, { key })).json.data).toEqual([]);
    expect((await call("GET", `/v1/alerts?ruleId=${rule.id}`, { key })).json.data).toEqual([]);
    expect((await call("GET", "/v1/rules", { key })).json.data).toEqual([]);
    // The other organization's alert is untouched.
    expect((await call("GET", `/v1/alerts/${alertId}`, { key: theirs.adminKey })).json.status).toBe("open");
  });
});
