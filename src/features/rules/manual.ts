import type { Db } from "../../platform/db/client";
import { ruleEvents } from "../../db/schema/rules";
import type { Env } from "../../platform/env";
import { notFound } from "../../platform/errors";
import type { Caller } from "../../platform/http/context";
import { nowIso } from "../../platform/lib/time";
import { getEntity } from "../entities";
import { type Facts, evaluateRules } from "./evaluate";
import { runEffects } from "./effects";
import { entityState, evaluateEvent } from "./evaluate-event";
import { presentEvaluation } from "./evaluations";
import { factsOf } from "./facts";
import type { StoredEvent } from "./outcomes";
import { definitionOf, getRule, getVersion } from "./store";

export interface TestRequest {
  entityId?: string;
  facts?: { entity?: Record<string, unknown>; results?: Record<string, unknown>; event?: Record<string, unknown> };
  version?: number;
}

async function testFacts(db: Db, orgId: string, request: TestRequest): Promise<Facts> {
  if (request.entityId === undefined) return { entity: request.facts?.entity ?? {}, results: request.facts?.results ?? {}, event: request.facts?.event ?? {} };
  const { entity, risk, results } = await entityState(db, orgId, request.entityId);
  if (!entity) throw notFound("Entity");
  return factsOf(entity, risk, { id: "test", type: "test", depth: 0, data: {} }, results);
}

/**
 * `POST /v1/rules/{id}/test`: the rule (its current version, or one named) against an entity as it is now (with its
 * latest enrichment results) or against given facts. Nothing is stored and nothing is done; the answer is the trace
 * and what the rule would do.
 */
export async function testRule(db: Db, orgId: string, ruleId: string, request: TestRequest) {
  const rule = await getRule(db, orgId, ruleId);
  const definition = request.version === undefined ? definitionOf(rule) : (await getVersion(db, orgId, ruleId, request.version)).definition;
  const version = request.version ?? rule.version;
  const facts = await testFacts(db, orgId, request);
  const verdict = (await evaluateRules([{ id: rule.id, priority: definition.priority, conditions: definition.conditions }], facts)).get(rule.id);
  const matched = verdict?.matched === true;
  return { ruleId, version, matched, trace: verdict?.trace ?? {}, actions: matched ? definition.actions : [], facts: { ...facts } };
}

/**
 * `POST /v1/entities/{id}/rules/evaluate`: every active and shadow rule for the entity's type, now, as a `manual`
 * event over the entity's latest enrichment results; recorded and acted on like any event. Follow-up work
 * (webhooks, enrichments) runs after the answer, through `later`.
 */
export async function evaluateEntityNow(env: Env, db: Db, caller: Caller, entityId: string, later: (work: Promise<unknown>) => void) {
  await getEntity(db, caller.orgId, entityId);
  const now = nowIso();
  const event: StoredEvent = { id: `evt_${crypto.randomUUID()}`, orgId: caller.orgId, type: "manual", entityId, data: { entityId, requestedByKeyId: caller.keyId }, depth: 0, ruleIds: [] };
  await db.insert(ruleEvents).values({ id: event.id, orgId: event.orgId, type: event.type, entityId, data: event.data, depth: 0, occurredAt: now, receivedAt: now });
  const { evaluations, rules } = await evaluateEvent(db, event, { manual: true });
  const pending = evaluations.filter((e) => e.effectsPending);
  if (pending.length > 0) later(runEffects(env, db, event, pending, rules));
  return { eventId: event.id, entityId, evaluations: evaluations.map(presentEvaluation) };
}
