import { and, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { createDb } from "../../platform/db/client";
import { ruleEvaluations, ruleEvents } from "../../db/schema/rules";
import type { Env } from "../../platform/env";
import { enqueueEvaluations } from "./subscriber";

/** An event still unevaluated (or with follow-up work left) this long after it arrived lost its queue message. */
export const STALE_EVENT_AGE_MS = 10 * 60 * 1000;
/** Evaluated events are kept this long (evaluations and alerts keep the event's id and type for good). */
export const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * The cron's part: events stored but never evaluated, and evaluations whose follow-up work never finished, go back on
 * the queue (evaluating an event again changes nothing but what was left); old evaluated events are dropped.
 */
export async function sweepRuleEvents(env: Env, now: number, limit = 500): Promise<void> {
  const db = createDb(env.DB);
  const stale = new Date(now - STALE_EVENT_AGE_MS).toISOString();
  const [unevaluated, unfinished] = await db.batch([
    db
      .select({ eventId: ruleEvents.id, orgId: ruleEvents.orgId })
      .from(ruleEvents)
      .where(and(isNull(ruleEvents.processedAt), lt(ruleEvents.receivedAt, stale)))
      .limit(limit),
    db
      .selectDistinct({ eventId: ruleEvaluations.eventId, orgId: ruleEvaluations.orgId })
      .from(ruleEvaluations)
      .where(and(sql`${ruleEvaluations.effectsPending} = 1`, lt(ruleEvaluations.evaluatedAt, stale)))
      .limit(limit),
  ]);
  await enqueueEvaluations(env, [...unevaluated, ...unfinished]);
  const old = new Date(now - EVENT_RETENTION_MS).toISOString();
  const expired = db.select({ id: ruleEvents.id }).from(ruleEvents).where(and(isNotNull(ruleEvents.processedAt), lt(ruleEvents.processedAt, old))).limit(limit * 2);
  await db.delete(ruleEvents).where(inArray(ruleEvents.id, expired));
}
