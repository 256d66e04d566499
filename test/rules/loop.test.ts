import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { createRule, deliverEvaluations, newEntity, rows, waitFor } from "./helpers";

/** run_enrichment runs integrations through the enrichment feature; the event it produces cannot feed a loop. */
const onPhone = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  status: "active",
  events: ["enrichment.completed"],
  integrationCodes: ["phone_normalize"],
  conditions: { fact: "results.phone_normalize.success", operator: "eq", value: true },
  actions: [{ type: "run_enrichment", integrationCodes: ["phone_normalize"] }],
  ...extra,
});

const evaluationsOf = (key: string, entityId: string) => call("GET", `/v1/rules/evaluations?entityId=${entityId}&limit=200`, { key }).then((r) => r.json.data as any[]);
const settled = (evaluations: any[]) => evaluations.every((e) => e.actions.every((a: { status: string }) => a.status !== "pending"));
const runsOf = (key: string, entityId: string) =>
  call("GET", `/v1/entities/${entityId}/enrichments?limit=200`, { key }).then((r) => r.json.data as { id: string; integrationCode: string }[]);

describe("run_enrichment", () => {
  it("runs the integrations, and a rule's own enrichment cannot make it run again", async () => {
    const { adminKey: key } = await createOrg();
    const rule = await createRule(key, onPhone("Normalize again", { actions: [{ type: "run_enrichment", integrationCodes: ["phone_normalize"] }, { type: "create_alert", severity: "low", title: "Phone seen" }] }));
    const person = await newEntity(key, "person", { fullName: "Loop Person", phone: "+44 20 7946 0958" });
    const first = await call("POST", `/v1/entities/${person}/enrichments`, { key, body: { integrationCodes: ["phone_normalize"] } });
    expect(first.status).toBe(200);

    const evaluations = await waitFor(() => evaluationsOf(key, person), (e) => e.length >= 2 && settled(e));
    expect(evaluations).toHaveLength(2);
    const [second, original] = evaluations;
    expect(original).toMatchObject({ ruleId: rule.id, depth: 0, matched: true, actions: [{ type: "run_enrichment", status: "done", integrationCodes: ["phone_normalize"] }, { type: "create_alert", status: "done" }] });
    const ran = original.actions[0];
    expect(ran.eventId).toBe(`evt_rule_${original.id}`);
    expect(ran.enrichmentIds).toHaveLength(1);
    // The rule-run enrichment's event is one level deeper and names the rule: the rule still matches it (and alerts),
    // but runs no enrichment.
    expect(second).toMatchObject({ ruleId: rule.id, eventId: ran.eventId, depth: 1, matched: true, enrichmentIds: ran.enrichmentIds });
    expect(second.actions[0]).toEqual({ type: "run_enrichment", status: "skipped", integrationCodes: ["phone_normalize"], reason: "loop: an enrichment this rule ran led to this event" });

    const runs = await runsOf(key, person);
    expect(runs.map((r) => r.integrationCode)).toEqual(["phone_normalize", "phone_normalize"]);
    expect(runs.map((r) => r.id)).toContain(ran.enrichmentIds[0]);
    expect((await call("GET", `/v1/alerts?entityId=${person}`, { key })).json.data).toHaveLength(2);

    // Delivered again, the first event runs nothing new: its evaluation's work is done, and its records are derived from it.
    await deliverEvaluations([{ eventId: original.eventId, orgId: (await rows("SELECT org_id FROM rules WHERE id = ?", rule.id))[0]?.org_id }]);
    expect(await runsOf(key, person)).toHaveLength(2);
  });

  it("two rules feeding each other stop when each has run once in the chain", async () => {
    const { adminKey: key } = await createOrg();
    const a = await createRule(key, onPhone("A"));
    const b = await createRule(key, onPhone("B"));
    const person = await newEntity(key, "person", { fullName: "Ping Pong", phone: "+44 20 7946 0959" });
    await call("POST", `/v1/entities/${person}/enrichments`, { key, body: { integrationCodes: ["phone_normalize"] } });
    // E0 → A runs (E1a), B runs (E1b); E1a → B runs (E2 by A,B); E1b → A runs (E2' by B,A); E2, E2' → nothing.
    const evaluations = await waitFor(() => evaluationsOf(key, person), (e) => e.length >= 10 && settled(e));
    expect(evaluations).toHaveLength(10);
    const ran = evaluations.filter((e) => e.actions[0].status === "done");
    expect(ran.map((e) => e.depth).sort()).toEqual([0, 0, 1, 1]);
    const stopped = evaluations.filter((e) => e.actions[0].status === "skipped");
    expect(stopped).toHaveLength(6);
    expect(stopped.every((e) => e.actions[0].reason.startsWith("loop:"))).toBe(true);
    expect(new Set(evaluations.map((e) => e.ruleId))).toEqual(new Set([a.id, b.id]));
    expect(await runsOf(key, person)).toHaveLength(5);
  });

  it("an event already this many rule-run enrichments deep runs no more (depth limit)", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const rule = await createRule(key, onPhone("Deep"));
    const person = await newEntity(key, "person", { fullName: "Deep Person", phone: "+44 20 7946 0957" });
    const eventId = `evt_${crypto.randomUUID()}`;
    const data = {
      entityId: person,
      trigger: { kind: "rule", ruleId: crypto.randomUUID(), evaluationId: crypto.randomUUID(), depth: 3, ruleIds: [crypto.randomUUID()] },
      results: [{ integrationCode: "phone_normalize", success: true, status: "succeeded", enrichmentId: crypto.randomUUID(), result: { enrichmentData: {} } }],
    };
    const now = new Date().toISOString();
    await rows(
      "INSERT INTO rule_events (id, org_id, type, entity_id, data, depth, occurred_at, received_at) VALUES (?, ?, 'enrichment.completed', ?, ?, 3, ?, ?) RETURNING id",
      eventId,
      org.orgId,
      person,
      JSON.stringify(data),
      now,
      now,
    );
    const result = await deliverEvaluations([{ eventId, orgId: org.orgId }]);
    expect(result.explicitAcks).toHaveLength(1);
    const [evaluation] = await evaluationsOf(key, person);
    expect(evaluation).toMatchObject({ ruleId: rule.id, depth: 3, matched: true });
    expect(evaluation.actions[0]).toMatchObject({ status: "skipped", reason: "depth limit: 3 rule-run enrichments led to this event (at most 3)" });
    expect(await runsOf(key, person)).toEqual([]);
  });

  it("a prepaid organization without credits: the enrichment fails and says why; nothing is charged", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 1 });
    const key = org.adminKey;
    await createRule(key, onPhone("Validate", { actions: [{ type: "run_enrichment", integrationCodes: ["email_validate", "web_profile"] }] }));
    const person = await newEntity(key, "person", { fullName: "Broke Person", phone: "+44 20 7946 0956", email: "broke@gmail.com" });
    await call("POST", `/v1/entities/${person}/enrichments`, { key, body: { integrationCodes: ["phone_normalize"] } });
    const [evaluation] = await waitFor(() => evaluationsOf(key, person), (e) => e.length >= 1 && settled(e));
    expect(evaluation.actions[0]).toMatchObject({ type: "run_enrichment", status: "failed", reason: expect.stringMatching(/^INSUFFICIENT_CREDITS/) });
    expect((await call("GET", "/v1/credits", { key })).json).toMatchObject({ creditBalance: 1, reservedCredits: 0 });
  });
});
