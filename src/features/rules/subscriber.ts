import { and, inArray } from "drizzle-orm";
import { z } from "zod";
import { type Db, createDb } from "../../platform/db/client";
import { RULE_EVENTS, ruleEvents, rules } from "../../db/schema/rules";
import type { Env } from "../../platform/env";
import type { DomainEvent, Subscriber } from "../../platform/events";
import { IN_LIST_LIMIT } from "../../platform/db/statements";
import { chunks } from "../../platform/lib/chunks";
import { nowIso } from "../../platform/lib/time";
import { triggerOf } from "./events";

/** What travels on the `rule-evaluations` queue: a pointer to the stored event. */
export const ruleEvaluationMessage = z.object({ eventId: z.string().min(1), orgId: z.string().min(1) });
export type RuleEvaluationMessage = z.infer<typeof ruleEvaluationMessage>;

const LISTENED = new Set<string>(RULE_EVENTS);
const SEND_BATCH_LIMIT = 100;
const INSERT_BATCH_LIMIT = 50;

const entityIdOf = (event: DomainEvent) => (typeof event.data.entityId === "string" ? event.data.entityId : null);

/** Far below D1's 2 MB row limit; an event this large is kept without its results' enrichmentData. */
export const MAX_STORED_EVENT_CHARS = 512 * 1024;

/** The event's data as stored: whole, or for an oversized one, its results without their enrichmentData. */
function storedData(event: DomainEvent): Record<string, unknown> {
  if (JSON.stringify(event.data).length <= MAX_STORED_EVENT_CHARS) return event.data;
  console.warn(JSON.stringify({ level: "warn", message: "rule event too large: results kept without enrichmentData", eventId: event.id }));
  const results = Array.isArray(event.data.results) ? event.data.results : [];
  const slim = results.map((r) => {
    if (typeof r !== "object" || r === null || !("result" in r) || typeof r.result !== "object" || r.result === null) return r;
    return { ...r, result: { ...r.result, enrichmentData: { omitted: "too large to keep for rules" } } };
  });
  return { ...event.data, results: slim };
}

/** Which (organization, event type) pairs some active or shadow rule listens to. */
async function listening(db: Db, orgIds: string[]): Promise<Set<string>> {
  const pairs = new Set<string>();
  for (const ids of chunks(orgIds, IN_LIST_LIMIT)) {
    const rows = await db
      .select({ orgId: rules.orgId, events: rules.events })
      .from(rules)
      .where(and(inArray(rules.orgId, ids), inArray(rules.status, ["active", "shadow"])));
    for (const row of rows) for (const type of row.events) pairs.add(`${row.orgId}\n${type}`);
  }
  return pairs;
}

export async function enqueueEvaluations(env: Env, messages: RuleEvaluationMessage[]): Promise<void> {
  for (const group of chunks(messages, SEND_BATCH_LIMIT)) {
    await env.RULE_EVALUATIONS.sendBatch(group.map((body) => ({ body, contentType: "json" as const })));
  }
}

/**
 * Keeps each event some active or shadow rule of its organization listens to (`rule_events`, once per event id)
 * and queues it for evaluation. Events of organizations without such rules cost one read per publish. An event
 * published again (a retried alarm) is not queued again; one that was stored but never queued is queued by the cron.
 */
export const ruleEventSubscriber: Subscriber = async (events, env) => {
  const candidates = events.filter((e) => LISTENED.has(e.type) && entityIdOf(e) !== null);
  if (candidates.length === 0) return;
  const db = createDb(env.DB);
  const wanted = await listening(db, [...new Set(candidates.map((e) => e.orgId))]);
  const relevant = candidates.filter((e) => wanted.has(`${e.orgId}\n${e.type}`));
  const receivedAt = nowIso();
  const queued: RuleEvaluationMessage[] = [];
  for (const group of chunks(relevant, INSERT_BATCH_LIMIT)) {
    const inserts = group.map((e) =>
      db
        .insert(ruleEvents)
        .values({ id: e.id, orgId: e.orgId, type: e.type, entityId: entityIdOf(e) ?? "", data: storedData(e), depth: triggerOf(e.data).depth, occurredAt: e.occurredAt, receivedAt })
        .onConflictDoNothing()
        .returning({ id: ruleEvents.id }),
    );
    const [first, ...rest] = inserts;
    if (!first) continue;
    const inserted = await db.batch([first, ...rest]);
    inserted.forEach((rows, i) => {
      const event = group[i];
      if (event && rows.length > 0) queued.push({ eventId: event.id, orgId: event.orgId });
    });
  }
  await enqueueEvaluations(env, queued);
};
