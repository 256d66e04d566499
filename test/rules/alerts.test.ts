import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { createRule, newEntity, rows } from "./helpers";

const highRiskCountry = {
  name: "High-risk country",
  status: "active",
  events: ["entity.created"],
  conditions: { fact: "entity.attributes.country", operator: "in", value: ["IR", "KP"] },
  score: 40,
  actions: [{ type: "create_alert", severity: "medium", title: "High-risk country" }, { type: "set_risk" }],
};
const named = {
  name: "Named on a watch list",
  status: "active",
  events: ["entity.updated"],
  conditions: { fact: "entity.attributes.fullName", operator: "matches", value: "(?i)watch" },
  score: 70,
  actions: [{ type: "create_alert", severity: "critical", title: "Watch-listed name" }, { type: "set_risk" }],
};

/** Runs every rule on the entity now and returns the alerts it raised, by rule. */
async function evaluateNow(key: string, entityId: string) {
  const res = await call("POST", `/v1/entities/${entityId}/rules/evaluate`, { key });
  expect(res.status, res.text).toBe(200);
  return res.json as { eventId: string; evaluations: { ruleId: string; matched: boolean; actions: { type: string; alertId?: string }[] }[] };
}
const alertOf = (answer: Awaited<ReturnType<typeof evaluateNow>>, ruleId: string) =>
  answer.evaluations.find((e) => e.ruleId === ruleId)?.actions.find((a) => a.type === "create_alert")?.alertId as string;

describe("alerts and risk", () => {
  it("risk is the sum of the matching rules' scores (at most 100), with levels from the organization's thresholds", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const country = await createRule(key, highRiskCountry);
    const name = await createRule(key, named);
    const person = await newEntity(key, "person", { fullName: "Watch Person", country: "IR" });
    const risk = async () => (await call("GET", `/v1/entities/${person}/risk`, { key })).json;

    const first = await evaluateNow(key, person);
    expect(first.evaluations).toHaveLength(2);
    expect(first.evaluations.every((e) => e.matched)).toBe(true);
    expect(await risk()).toMatchObject({ score: 100, level: "critical" });
    expect((await risk()).reasons.map((r: { ruleId: string; score: number }) => [r.ruleId, r.score]).sort()).toEqual([[country.id, 40], [name.id, 70]].sort());

    expect((await call("GET", "/v1/rules/risk-levels", { key })).json).toEqual({ medium: 30, high: 60, critical: 85 });
    // A false positive takes its rule's contribution off: 40 left, medium by default, high once the thresholds move.
    const resolved = await call("POST", `/v1/alerts/${alertOf(first, name.id)}/resolve`, { key, body: { resolution: "false_positive", note: "Another person" } });
    expect(resolved.json).toMatchObject({ status: "resolved", resolution: "false_positive", note: "Another person", resolvedByKeyId: org.adminKeyId });
    expect(await risk()).toMatchObject({ score: 40, level: "medium", reasons: [{ ruleId: country.id, version: 1, score: 40 }] });
    const put = await call("PUT", "/v1/rules/risk-levels", { key, body: { medium: 10, high: 35, critical: 90 } });
    expect(put.status).toBe(200);
    expect((await call("GET", "/v1/rules/risk-levels", { key })).json).toEqual({ medium: 10, high: 35, critical: 90 });
    expect(await risk()).toMatchObject({ score: 40, level: "high" });
    expect((await call("PUT", "/v1/rules/risk-levels", { key, body: { medium: 10, high: 5, critical: 90 } })).json.error.details[0].path).toBe("high");
    expect((await call("PUT", "/v1/rules/risk-levels", { key, body: { medium: 0, high: 5, critical: 101 } })).json.error.details.map((d: { path: string }) => d.path)).toEqual(["medium", "critical"]);
    const viewer = await createKey(key, "viewer");
    expect((await call("GET", "/v1/rules/risk-levels", { key: viewer.key })).status).toBe(200);
    expect((await call("PUT", "/v1/rules/risk-levels", { key: viewer.key, body: { medium: 1, high: 2, critical: 3 } })).status).toBe(403);
    expect((await call("GET", `/v1/entities/${person}/risk`, { key: viewer.key })).status).toBe(200);

    // Another organization's thresholds are its own.
    const other = await createOrg();
    expect((await call("GET", "/v1/rules/risk-levels", { key: other.adminKey })).json).toEqual({ medium: 30, high: 60, critical: 85 });
    const clean = await newEntity(key, "person", { fullName: "Ada Lovelace", country: "GB" });
    expect((await call("GET", `/v1/entities/${clean}/risk`, { key })).json).toEqual({ entityId: clean, score: 0, level: "low", reasons: [], tags: [] });
  });

  it("alerts move open → acknowledged → resolved, once each; any other move is a 409", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const member = await createKey(key, "member");
    const viewer = await createKey(key, "viewer");
    const rule = await createRule(key, highRiskCountry);
    const person = await newEntity(key, "person", { fullName: "Alert Person", country: "KP" });
    const alertId = alertOf(await evaluateNow(key, person), rule.id);
    const path = `/v1/alerts/${alertId}`;

    expect((await call("GET", path, { key: viewer.key })).json).toMatchObject({ status: "open", severity: "medium", eventType: "manual", acknowledgedAt: null });
    expect((await call("POST", `${path}/acknowledge`, { key: viewer.key })).status).toBe(403);
    const ack = await call("POST", `${path}/acknowledge`, { key: member.key });
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ status: "acknowledged", acknowledgedByKeyId: member.id, acknowledgedAt: expect.any(String) });
    const again = await call("POST", `${path}/acknowledge`, { key: member.key });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "CONFLICT", details: { status: "acknowledged" } });
    expect((await call("POST", `${path}/resolve`, { key: member.key, body: { resolution: "maybe" } })).status).toBe(400);
    const resolved = await call("POST", `${path}/resolve`, { key: member.key, body: { resolution: "true_positive" } });
    expect(resolved.json).toMatchObject({ status: "resolved", resolution: "true_positive", note: null, acknowledgedByKeyId: member.id });
    expect((await call("POST", `${path}/resolve`, { key: member.key, body: { resolution: "true_positive" } })).status).toBe(409);
    expect((await call("POST", `${path}/acknowledge`, { key: member.key })).status).toBe(409);
    // A true positive keeps the risk.
    expect((await call("GET", `/v1/entities/${person}/risk`, { key })).json.score).toBe(40);

    // Two moves at once: exactly one wins.
    const second = alertOf(await evaluateNow(key, person), rule.id);
    const racing = await Promise.all([1, 2, 3].map(() => call("POST", `/v1/alerts/${second}/acknowledge`, { key: member.key })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409]);

    const audit = await call("GET", `/v1/audit-log?targetId=${alertId}`, { key });
    expect(audit.json.data.map((a: { action: string }) => a.action)).toEqual(["alert.resolved", "alert.acknowledged", "alert.created"]);
    expect(await rows("SELECT id FROM audit_log WHERE target_id = ? AND action = 'alert.acknowledged'", second)).toHaveLength(1);
    const updates = await rows("SELECT id FROM webhook_deliveries WHERE org_id = ? AND event_type = 'alert.updated'", org.orgId);
    expect(updates).toEqual([]); // no endpoint subscribed

    const listed = async (query: string) => (await call("GET", `/v1/alerts?${query}`, { key })).json.data.map((a: { id: string }) => a.id);
    expect(await listed("status=resolved")).toEqual([alertId]);
    expect(await listed("status=acknowledged")).toEqual([second]);
    expect(await listed(`ruleId=${rule.id}&severity=medium`)).toEqual([second, alertId]);
    expect(await listed("severity=high")).toEqual([]);
    expect(await listed(`entityId=${person}&limit=1`)).toEqual([second]);
    const page = await call("GET", "/v1/alerts?limit=1", { key });
    expect((await call("GET", `/v1/alerts?limit=1&cursor=${page.json.nextCursor}`, { key })).json.data.map((a: { id: string }) => a.id)).toEqual([alertId]);
  });

  it("a manual evaluation runs every active and shadow rule for the entity's type, whatever its events, over the latest results", async () => {
    const { adminKey: key } = await createOrg();
    const phone = await createRule(key, {
      name: "Mobile phone",
      status: "active",
      events: ["enrichment.completed"],
      integrationCodes: ["phone_normalize"],
      conditions: { fact: "results.phone_normalize.enrichmentData.parsed", operator: "eq", value: true },
      actions: [{ type: "add_tag", tag: "phone-checked" }],
    });
    const companiesOnly = await createRule(key, { ...highRiskCountry, entityTypes: ["company"] });
    const draft = await createRule(key, { ...highRiskCountry, status: "draft" });
    const person = await newEntity(key, "person", { fullName: "Manual Person", country: "IR", phone: "020 7946 0958" });
    const before = await evaluateNow(key, person);
    expect(before.evaluations.map((e) => e.ruleId)).toEqual([phone.id]);
    expect(before.evaluations[0]?.matched).toBe(false);
    await call("POST", `/v1/entities/${person}/enrichments`, { key, body: { integrationCodes: ["phone_normalize"] } });
    const after = await evaluateNow(key, person);
    expect(after.eventId).not.toBe(before.eventId);
    expect(after.evaluations).toMatchObject([{ ruleId: phone.id, matched: true, actions: [{ type: "add_tag", status: "done", tag: "phone-checked" }] }]);
    expect((await call("GET", `/v1/entities/${person}`, { key })).json.tags).toEqual(["phone-checked"]);
    expect([companiesOnly.id, draft.id]).not.toContain(after.evaluations[0]?.ruleId);

    // The same Idempotency-Key replays the answer and evaluates nothing again.
    const headers = { "idempotency-key": `manual-${person}` };
    const once = await call("POST", `/v1/entities/${person}/rules/evaluate`, { key, headers });
    const twice = await call("POST", `/v1/entities/${person}/rules/evaluate`, { key, headers });
    expect(twice.headers.get("idempotent-replayed")).toBe("true");
    expect(twice.json).toEqual(once.json);
    expect(await rows("SELECT id FROM rule_evaluations WHERE event_id = ?", once.json.eventId)).toHaveLength(1);
    expect((await call("POST", `/v1/entities/${crypto.randomUUID()}/rules/evaluate`, { key })).status).toBe(404);
  });
});
