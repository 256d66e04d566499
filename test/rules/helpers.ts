import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { call } from "../helpers/api";

export const SANCTIONS_RULE = {
  name: "Sanctions match >= 0.9",
  status: "active",
  events: ["enrichment.completed"],
  integrationCodes: ["sanctions_screen"],
  conditions: { all: [{ fact: "results.sanctions_screen.enrichmentData.topScore", operator: "gte", value: 0.9 }] },
  score: 70,
  actions: [{ type: "create_alert", severity: "high", title: "Possible sanctions match" }, { type: "set_risk" }, { type: "add_tag", tag: "sanctions-review" }],
};

export async function createRule(key: string, body: Record<string, unknown>) {
  const res = await call("POST", "/v1/rules", { key, body });
  if (res.status !== 201) throw new Error(`create rule: ${res.status} ${res.text}`);
  return res.json as { id: string; version: number } & Record<string, unknown>;
}

export async function newEntity(key: string, type: "person" | "company", attributes: Record<string, unknown>) {
  const res = await call("POST", "/v1/entities", { key, body: { type, attributes } });
  if (res.status !== 201) throw new Error(`create entity: ${res.status} ${res.text}`);
  return res.json.id as string;
}

export async function list(key: string, path: string): Promise<any[]> {
  const res = await call("GET", path, { key });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
  return res.json.data;
}

/** Polls a list until it holds at least `count` rows (the queue evaluates in the background). */
export async function waitForRows(key: string, path: string, count = 1, deadlineMs = 20_000): Promise<any[]> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const rows = await list(key, path);
    if (rows.length >= count || Date.now() > until) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls until `done` holds for what `probe` answers. */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 20_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Hands `rule-evaluations` messages to the Worker's real queue handler, as a redelivery would. */
export async function deliverEvaluations(bodies: unknown[]) {
  const batch = createMessageBatch(
    "rule-evaluations",
    bodies.map((body, i) => ({ id: `redelivery-${crypto.randomUUID()}-${i}`, timestamp: new Date(), attempts: 2, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

export async function rows(sql: string, ...params: unknown[]) {
  return (await env.DB.prepare(sql).bind(...params).all<Record<string, unknown>>()).results;
}

/** Evaluates `conditions` against `facts` through the test endpoint of a fresh rule. */
export async function testConditions(key: string, conditions: unknown, facts: Record<string, unknown>) {
  const rule = await createRule(key, { name: "probe", events: ["entity.updated"], conditions });
  const res = await call("POST", `/v1/rules/${rule.id}/test`, { key, body: { facts } });
  if (res.status !== 200) throw new Error(`test: ${res.status} ${res.text}`);
  return res.json as { matched: boolean; trace: any; actions: unknown[] };
}
