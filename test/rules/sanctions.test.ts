import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import "../../src/index";
import { publish } from "../../src/platform/events";
import { call, createOrg } from "../helpers/api";
import { waitForReceived } from "../helpers/webhook-receiver";
import { importSdnCsv, realSdnCsv } from "../screening/helpers";
import { createHook } from "../webhooks/harness";
import { SANCTIONS_RULE, createRule, deliverEvaluations, newEntity, rows, waitFor, waitForRows } from "./helpers";

/**
 * A sanctions screening of a listed name against the real OFAC SDN list, through the whole path: the enrichment
 * publishes enrichment.completed, the rules subscriber stores and queues it, the rule-evaluations consumer
 * evaluates, writes one batch and publishes webhooks.
 */
beforeAll(async () => {
  await importSdnCsv(await realSdnCsv(), "ofac-sdn-2024-05-03.csv");
}, 120_000);

async function screen(key: string, entityId: string) {
  const res = await call("POST", `/v1/entities/${entityId}/enrichments`, { key, body: { integrationCodes: ["sanctions_screen"] } });
  expect(res.status, res.text).toBe(200);
  expect(res.json.results[0].status).toBe("succeeded");
  return res.json.results[0].enrichmentId as string;
}

const settled = (key: string, ruleId: string, count: number) =>
  waitFor(
    () => call("GET", `/v1/rules/evaluations?ruleId=${ruleId}`, { key }).then((r) => r.json.data as { actions: { status: string }[] }[]),
    (data) => data.length >= count && data.every((e) => e.actions.every((a) => a.status !== "pending")),
  );

async function deliveriesOf(orgId: string, eventType: string) {
  return rows("SELECT event_id FROM webhook_deliveries WHERE org_id = ? AND event_type = ?", orgId, eventType);
}

describe("rules on sanctions screening", () => {
  it("a listed name with an active rule raises exactly one alert, also when the event and its message are delivered again", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const hook = await createHook(key, {}, ["rule.matched", "alert.created"]);
    const rule = await createRule(key, { ...SANCTIONS_RULE, actions: [...SANCTIONS_RULE.actions, { type: "send_webhook" }] });
    const company = await newEntity(key, "company", { name: "Aerocaribbean Airlines", country: "CU" });
    const enrichmentId = await screen(key, company);

    const [alert, ...more] = await waitForRows(key, `/v1/alerts?entityId=${company}`);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      ruleId: rule.id,
      ruleVersion: 1,
      ruleName: SANCTIONS_RULE.name,
      entityId: company,
      eventType: "enrichment.completed",
      enrichmentIds: [enrichmentId],
      severity: "high",
      title: "Possible sanctions match",
      status: "open",
      score: 70,
      trace: { all: [{ fact: "results.sanctions_screen.enrichmentData.topScore", operator: "gte", value: 0.9, actual: 1, result: true }], result: true },
    });
    const [evaluation] = await settled(key, rule.id, 1);
    expect(evaluation).toMatchObject({
      ruleVersion: 1,
      eventId: alert.eventId,
      entityId: company,
      matched: true,
      shadow: false,
      depth: 0,
      actions: [
        { type: "create_alert", status: "done", alertId: alert.id },
        { type: "set_risk", status: "done", score: 70 },
        { type: "add_tag", status: "done", tag: "sanctions-review" },
        { type: "send_webhook", status: "done", eventId: `evt_rule_matched_${alert.evaluationId}` },
      ],
    });
    const risk = async () => (await call("GET", `/v1/entities/${company}/risk`, { key })).json;
    const before = await risk();
    expect(before).toMatchObject({ entityId: company, score: 70, level: "high", tags: ["sanctions-review"] });
    expect(before.reasons).toEqual([{ ruleId: rule.id, ruleName: SANCTIONS_RULE.name, version: 1, score: 70, at: expect.any(String), evaluationId: alert.evaluationId, eventId: alert.eventId }]);
    expect((await call("GET", `/v1/entities/${company}`, { key })).json.tags).toEqual(["sanctions-review"]);

    const received = await waitForReceived(hook.bin, 2);
    const types = received.map((r) => JSON.parse(r.body).type).sort();
    expect(types).toEqual(["alert.created", "rule.matched"]);
    const matchedBody = JSON.parse(received.find((r) => JSON.parse(r.body).type === "rule.matched")?.body ?? "{}");
    expect(matchedBody.data).toMatchObject({ ruleId: rule.id, ruleVersion: 1, entityId: company, eventId: alert.eventId, alertId: alert.id, score: 70 });

    // The same event published again (a retried alarm, a replay) and its message delivered again, twice in a batch.
    const [stored] = await rows("SELECT * FROM rule_events WHERE id = ?", alert.eventId);
    expect(stored).toMatchObject({ org_id: org.orgId, type: "enrichment.completed", entity_id: company, depth: 0 });
    await publish(env, [{ id: alert.eventId, type: "enrichment.completed", orgId: org.orgId, occurredAt: String(stored?.occurred_at), data: JSON.parse(String(stored?.data)) }]);
    const redelivered = await deliverEvaluations([
      { eventId: alert.eventId, orgId: org.orgId },
      { eventId: alert.eventId, orgId: org.orgId },
    ]);
    expect(redelivered.explicitAcks).toHaveLength(2);
    expect(await rows("SELECT id FROM alerts WHERE org_id = ?", org.orgId)).toHaveLength(1);
    expect(await rows("SELECT id FROM rule_evaluations WHERE org_id = ?", org.orgId)).toHaveLength(1);
    expect(await rows("SELECT id FROM rule_events WHERE org_id = ?", org.orgId)).toHaveLength(1);
    expect(await risk()).toEqual(before);
    expect(await deliveriesOf(org.orgId, "rule.matched")).toHaveLength(1);
    expect(await deliveriesOf(org.orgId, "alert.created")).toHaveLength(1);
    const audit = await call("GET", `/v1/audit-log?targetId=${company}`, { key });
    expect(audit.json.data.filter((a: { action: string }) => a.action === "entity.risk_changed")).toHaveLength(1);
    expect(audit.json.data.filter((a: { action: string }) => a.action === "entity.tagged")).toHaveLength(1);

    // A new screening is a new event: a second alert, but the rule's contribution to the risk is replaced, not added.
    await screen(key, company);
    await waitForRows(key, `/v1/alerts?entityId=${company}`, 2);
    await settled(key, rule.id, 2);
    const after = await risk();
    expect(after).toMatchObject({ score: 70, level: "high", tags: ["sanctions-review"] });
    expect(after.reasons).toHaveLength(1);
  });

  it("a shadow rule records its evaluation and acts on nothing", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const hook = await createHook(key, {}, ["rule.matched", "alert.created"]);
    const rule = await createRule(key, {
      ...SANCTIONS_RULE,
      status: "shadow",
      actions: [...SANCTIONS_RULE.actions, { type: "send_webhook" }, { type: "run_enrichment", integrationCodes: ["phone_normalize"] }],
    });
    const person = await newEntity(key, "person", { fullName: "Nicolas Maduro Moros", phone: "+58 212 555 0100" });
    await screen(key, person);
    const [evaluation] = await settled(key, rule.id, 1);
    const skipped = { status: "skipped", reason: "shadow rule" };
    expect(evaluation).toMatchObject({
      matched: true,
      shadow: true,
      actions: ["create_alert", "set_risk", "add_tag", "send_webhook", "run_enrichment"].map((type) => ({ type, ...skipped })),
    });
    expect((await call("GET", `/v1/alerts?ruleId=${rule.id}`, { key })).json.data).toEqual([]);
    expect((await call("GET", `/v1/entities/${person}/risk`, { key })).json).toEqual({ entityId: person, score: 0, level: "low", reasons: [], tags: [] });
    const runs = (await call("GET", `/v1/entities/${person}/enrichments`, { key })).json.data;
    expect(runs.map((r: { integrationCode: string }) => r.integrationCode)).toEqual(["sanctions_screen"]);
    expect(await deliveriesOf(org.orgId, "rule.matched")).toEqual([]);
    expect(await waitForReceived(hook.bin, 1, 500)).toEqual([]);
  });

  it("a name not on the list: the rule is evaluated, does not match, and does nothing; batch jobs trigger rules too", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const rule = await createRule(key, SANCTIONS_RULE);
    const clean = await newEntity(key, "person", { fullName: "Ada Lovelace" });
    await screen(key, clean);
    const [evaluation] = await settled(key, rule.id, 1);
    expect(evaluation).toMatchObject({ entityId: clean, matched: false, actions: [], trace: { result: false, all: [{ actual: 0, result: false }] } });
    expect((await call("GET", "/v1/rules/evaluations?matched=true", { key })).json.data).toEqual([]);
    expect((await call("GET", "/v1/rules/evaluations?matched=false", { key })).json.data).toHaveLength(1);

    const job = await call("POST", "/v1/jobs", {
      key,
      body: {
        entities: [
          { type: "person", externalId: "listed", attributes: { fullName: "Nicolas Maduro Moros" } },
          { type: "person", externalId: "clean", attributes: { fullName: "Grace Hopper" } },
        ],
        integrationCodes: ["sanctions_screen"],
      },
    });
    expect(job.status).toBe(202);
    const evaluations = await settled(key, rule.id, 3);
    expect(evaluations.filter((e) => (e as { matched?: boolean }).matched)).toHaveLength(1);
    const alerts = await waitForRows(key, "/v1/alerts", 1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].eventId).toBe(`evt_${job.json.jobId}_entity_0`);
  });
});
