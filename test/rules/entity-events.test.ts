import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { publish } from "../../src/platform/events";
import { call, createOrg } from "../helpers/api";
import { createHook } from "../webhooks/harness";
import { waitForReceived } from "../helpers/webhook-receiver";
import { createRule, deliverEvaluations, rows, waitFor } from "./helpers";

const tagsOf = (key: string, id: string) => call("GET", `/v1/entities/${id}`, { key }).then((r) => r.json.tags as string[]);

describe("rules on entity events", () => {
  it("entity.created and entity.updated (with the changed names) reach the rules listening to them", async () => {
    const { adminKey: key } = await createOrg();
    await createRule(key, {
      name: "High-risk country on creation",
      status: "active",
      events: ["entity.created"],
      conditions: { fact: "entity.attributes.country", operator: "in", value: ["IR", "KP"] },
      actions: [{ type: "add_tag", tag: "high-risk-country" }],
    });
    await createRule(key, {
      name: "Country changed",
      status: "active",
      events: ["entity.updated"],
      conditions: { all: [{ fact: "event.data.changed", operator: "contains", value: "country" }, { fact: "entity.attributes.country", operator: "eq", value: "KP" }] },
      actions: [{ type: "add_tag", tag: "moved-to-kp" }],
    });
    const created = await call("POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName: "Event Person", country: "IR" } } });
    expect(created.json.tags).toEqual([]);
    const id = created.json.id as string;
    expect(await waitFor(() => tagsOf(key, id), (t) => t.length === 1)).toEqual(["high-risk-country"]);

    // A change that names the field but keeps its value changes nothing and publishes nothing.
    await call("PATCH", `/v1/entities/${id}`, { key, body: { attributes: { country: "IR" } } });
    await call("PATCH", `/v1/entities/${id}`, { key, body: { attributes: { title: "CTO" } } });
    await call("PATCH", `/v1/entities/${id}`, { key, body: { attributes: { country: "KP" } } });
    expect(await waitFor(() => tagsOf(key, id), (t) => t.length === 2)).toEqual(["high-risk-country", "moved-to-kp"]);
    const events = await rows("SELECT type, data FROM rule_events WHERE entity_id = ? ORDER BY received_at", id);
    expect(events.map((e) => [e.type, JSON.parse(String(e.data)).changed])).toEqual([
      ["entity.created", ["country", "fullName"]],
      ["entity.updated", ["title"]],
      ["entity.updated", ["country"]],
    ]);
    const evaluations = (await call("GET", `/v1/rules/evaluations?entityId=${id}`, { key })).json.data;
    expect(evaluations.map((e: { eventType: string; matched: boolean }) => [e.eventType, e.matched]).sort()).toEqual(
      [
        ["entity.created", true],
        ["entity.updated", false],
        ["entity.updated", true],
      ].sort(),
    );

    // PUT by externalId publishes too: created, then updated.
    await call("PUT", "/v1/entities/by-external-id/ev-1", { key, body: { type: "person", attributes: { fullName: "Put Person", country: "KP" } } });
    const put = await call("GET", "/v1/entities/by-external-id/ev-1", { key });
    expect(await waitFor(() => tagsOf(key, put.json.id), (t) => t.length === 1)).toEqual(["high-risk-country"]);
  });

  it("a batch job's inline entities publish once each (origin import, the job's id); each rule evaluates each event once", async () => {
    const { adminKey: key, orgId } = await createOrg();
    const rule = await createRule(key, {
      name: "Imported",
      status: "active",
      events: ["entity.created", "entity.updated"],
      conditions: { fact: "event.data.origin", operator: "eq", value: "import" },
      actions: [{ type: "add_tag", tag: "imported" }],
    });
    const job = await call("POST", "/v1/jobs", {
      key,
      body: {
        integrationCodes: ["phone_normalize"],
        entities: [
          { type: "person", externalId: "imp-a", attributes: { fullName: "Imp A", custom: { tier: "gold" } } },
          { type: "company", externalId: "imp-b", attributes: { name: "Imp B Ltd" } },
        ],
      },
    });
    expect(job.status).toBe(202);
    const a = (await call("GET", "/v1/entities/by-external-id/imp-a", { key })).json.id as string;
    const b = (await call("GET", "/v1/entities/by-external-id/imp-b", { key })).json.id as string;
    expect(await waitFor(() => tagsOf(key, a), (t) => t.length > 0)).toEqual(["imported"]);
    expect(await waitFor(() => tagsOf(key, b), (t) => t.length > 0)).toEqual(["imported"]);
    const events = await rows("SELECT id, type, entity_id, data FROM rule_events WHERE org_id = ? ORDER BY entity_id", orgId);
    expect(events.map((e) => [e.entity_id, e.type, JSON.parse(String(e.data))]).sort()).toEqual(
      [
        [a, "entity.created", { entityId: a, entityType: "person", externalId: "imp-a", changed: ["custom.tier", "fullName"], origin: "import", jobId: job.json.jobId }],
        [b, "entity.created", { entityId: b, entityType: "company", externalId: "imp-b", changed: ["name"], origin: "import", jobId: job.json.jobId }],
      ].sort(),
    );
    // Delivered again, the events change nothing: one evaluation per rule and event.
    await deliverEvaluations(events.map((e) => ({ eventId: e.id, orgId })));
    const evaluations = (await call("GET", `/v1/rules/evaluations?ruleId=${rule.id}`, { key })).json.data;
    expect(evaluations.map((e: { entityId: string; matched: boolean }) => [e.entityId, e.matched]).sort()).toEqual([[a, true], [b, true]].sort());
    expect(await tagsOf(key, a)).toEqual(["imported"]);

    // A tags-only PATCH is an update that changed `tags` (from the API), so the rule runs and does not match.
    await call("PATCH", `/v1/entities/${a}`, { key, body: { tags: ["vip"] } });
    const updated = await waitFor(
      () => rows("SELECT data FROM rule_events WHERE entity_id = ? AND type = 'entity.updated'", a),
      (r) => r.length > 0,
    );
    expect(updated.map((e) => JSON.parse(String(e.data)))).toEqual([{ entityId: a, entityType: "person", externalId: "imp-a", changed: ["tags"], origin: "api" }]);
    const after = await waitFor(
      () => call("GET", `/v1/rules/evaluations?ruleId=${rule.id}&entityId=${a}`, { key }).then((r) => r.json.data as { matched: boolean }[]),
      (d) => d.length === 2,
    );
    expect(after.map((e) => e.matched).sort()).toEqual([false, true]);
    expect(await tagsOf(key, a)).toEqual(["vip"]);
  });

  it("tags: a set the organization replaces with PATCH; rules add to it without duplicates", async () => {
    const { adminKey: key } = await createOrg();
    const created = await call("POST", "/v1/entities", { key, body: { type: "company", attributes: { name: "Tagged Ltd" } } });
    const id = created.json.id;
    const patched = await call("PATCH", `/v1/entities/${id}`, { key, body: { tags: ["vip", "kyc:pending", "vip"] } });
    expect(patched.json.tags).toEqual(["vip", "kyc:pending"]);
    const bad = await call("PATCH", `/v1/entities/${id}`, { key, body: { tags: ["ok", "Not OK"] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("tags.1");
    expect((await call("PATCH", `/v1/entities/${id}`, { key, body: { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) } })).status).toBe(400);
    const audit = await call("GET", `/v1/audit-log?action=entity.updated&targetId=${id}`, { key });
    expect(audit.json.data[0].data).toMatchObject({ tags: ["vip", "kyc:pending"] });
    const rule = await createRule(key, {
      name: "Tag VIP companies",
      status: "active",
      events: ["entity.updated"],
      conditions: { fact: "entity.tags", operator: "contains", value: "vip" },
      actions: [{ type: "add_tag", tag: "kyc:pending" }, { type: "add_tag", tag: "reviewed" }],
    });
    await call("PATCH", `/v1/entities/${id}`, { key, body: { attributes: { country: "GB" } } });
    await waitFor(() => tagsOf(key, id), (t) => t.includes("reviewed"));
    expect(await tagsOf(key, id)).toEqual(["vip", "kyc:pending", "reviewed"]);
    const [evaluation] = (await call("GET", `/v1/rules/evaluations?ruleId=${rule.id}`, { key })).json.data;
    expect(evaluation.actions).toEqual([
      { type: "add_tag", status: "done", tag: "kyc:pending" },
      { type: "add_tag", status: "done", tag: "reviewed" },
    ]);
    expect((await call("GET", `/v1/entities/${id}/risk`, { key })).json.tags).toEqual(["vip", "kyc:pending", "reviewed"]);
  });

  it("README's disposable-email rule: email_validate finds a disposable domain, the rule tags the person and notifies", async () => {
    const { adminKey: key } = await createOrg();
    const hook = await createHook(key, {}, ["rule.matched"]);
    const rule = await createRule(key, {
      name: "Disposable email",
      status: "active",
      events: ["enrichment.completed"],
      integrationCodes: ["email_validate"],
      conditions: { fact: "results.email_validate.enrichmentData.disposable", operator: "eq", value: true },
      actions: [{ type: "add_tag", tag: "disposable-email" }, { type: "send_webhook" }],
    });
    const person = await call("POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName: "Throwaway", email: "someone@mailinator.com" } } });
    const run = await call("POST", `/v1/entities/${person.json.id}/enrichments`, { key, body: { integrationCodes: ["email_validate"] } });
    expect(run.json.results[0]).toMatchObject({ status: "succeeded", result: { enrichmentData: { disposable: true } } });
    expect(await waitFor(() => tagsOf(key, person.json.id), (t) => t.length > 0)).toEqual(["disposable-email"]);
    const [received] = await waitForReceived(hook.bin, 1);
    expect(JSON.parse(received?.body ?? "{}")).toMatchObject({ type: "rule.matched", data: { ruleId: rule.id, entityId: person.json.id, alertId: null } });
  });

  it("an event too large to keep whole is kept without its results' data, and still evaluated", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    const rule = await createRule(key, {
      name: "Any phone run",
      status: "active",
      events: ["enrichment.completed"],
      conditions: { fact: "results.phone_normalize.success", operator: "eq", value: true },
      actions: [{ type: "add_tag", tag: "phone-run" }],
    });
    const person = await call("POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName: "Big Event" } } });
    const id = `evt_${crypto.randomUUID()}`;
    const huge = { integrationCode: "phone_normalize", success: true, status: "succeeded", enrichmentId: crypto.randomUUID(), result: { summary: "ok", enrichmentData: { blob: "x".repeat(600 * 1024) } } };
    await publish(env, [{ id, type: "enrichment.completed", orgId: org.orgId, occurredAt: new Date().toISOString(), data: { entityId: person.json.id, results: [huge] } }]);
    const [stored] = await rows("SELECT data FROM rule_events WHERE id = ?", id);
    expect(JSON.parse(String(stored?.data)).results[0].result).toEqual({ summary: "ok", enrichmentData: { omitted: "too large to keep for rules" } });
    expect(await waitFor(() => tagsOf(key, person.json.id), (t) => t.length > 0)).toEqual(["phone-run"]);
    expect((await call("GET", `/v1/rules/evaluations?ruleId=${rule.id}`, { key })).json.data).toHaveLength(1);
  });

  it("the cron queues again an event that was stored but never evaluated (its message lost)", async () => {
    const org = await createOrg();
    const key = org.adminKey;
    await createRule(key, {
      name: "Company created",
      status: "active",
      events: ["entity.created"],
      conditions: { fact: "entity.type", operator: "eq", value: "company" },
      actions: [{ type: "add_tag", tag: "swept" }],
    });
    const company = await call("POST", "/v1/entities", { key, body: { type: "company", attributes: { name: "Lost Message Ltd" } } });
    const eventId = `evt_${crypto.randomUUID()}`;
    const long = new Date(Date.now() - 20 * 60_000).toISOString();
    const data = { entityId: company.json.id, entityType: "company", externalId: null, changed: ["name"] };
    await rows(
      "INSERT INTO rule_events (id, org_id, type, entity_id, data, depth, occurred_at, received_at) VALUES (?, ?, 'entity.created', ?, ?, 0, ?, ?) RETURNING id",
      eventId,
      org.orgId,
      company.json.id,
      JSON.stringify(data),
      long,
      long,
    );
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const evaluated = await waitFor(
      () => rows("SELECT processed_at FROM rule_events WHERE id = ?", eventId),
      (r) => r[0]?.processed_at !== null,
    );
    expect(evaluated[0]?.processed_at).toEqual(expect.any(String));
    expect(await rows("SELECT id FROM rule_evaluations WHERE event_id = ?", eventId)).toHaveLength(1);
  });
});
