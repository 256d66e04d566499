import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { webhookDeliveries, webhookDeliveryAttempts } from "../../db/schema/webhooks";
import type { Env } from "../../platform/env";
import { ApiError, notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { auditStatement } from "../tenancy";
import { getWebhook } from "./webhooks";
import { IN_LIST_LIMIT } from "../../platform/db/statements";
import { chunks } from "../../platform/lib/chunks";

export const TEST_EVENT_TYPE = "webhook.test";

/** What travels on the `webhook-deliveries` queue: just a pointer, the payload stays in D1. */
export const deliveryMessageSchema = z.object({ deliveryId: z.string().min(1), generation: z.number().int().min(0) });
export type WebhookDeliveryMessage = z.infer<typeof deliveryMessageSchema>;

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type AttemptRow = typeof webhookDeliveryAttempts.$inferSelect;

export interface DeliveryDraft {
  orgId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** The Standard Webhooks body `{type, timestamp, data}`, serialized once. */
  payload: string;
}

export const webhookPayload = (type: string, timestamp: string, data: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp, data });

/** Queue messages per call to sendBatch (the Queues limit). */
const SEND_BATCH_LIMIT = 100;
/** D1 statements per batch, kept modest so one huge publish does not become one huge transaction. */
const INSERT_BATCH_LIMIT = 50;

function deliveryRow(draft: DeliveryDraft): DeliveryRow {
  return {
    ...draft,
    id: crypto.randomUUID(),
    status: "pending",
    generation: 0,
    attemptCount: 0,
    leaseUntil: null,
    lastStatusCode: null,
    lastError: null,
    lastAttemptAt: null,
    nextAttemptAt: null,
    deliveredAt: null,
    failedAt: null,
    createdAt: nowIso(),
  };
}

/**
 * Inserts one row per (event, webhook), ignoring pairs already recorded, and returns the rows that are new:
 * a re-published event (alarms and queue messages can repeat) never yields a second delivery.
 */
export async function recordDeliveries(db: Db, drafts: DeliveryDraft[]): Promise<DeliveryRow[]> {
  const created: DeliveryRow[] = [];
  for (const group of chunks(drafts.map(deliveryRow), INSERT_BATCH_LIMIT)) {
    const [first, ...rest] = group.map((row) =>
      db.insert(webhookDeliveries).values(row).onConflictDoNothing().returning({ id: webhookDeliveries.id }),
    );
    if (!first) continue;
    const results = await db.batch([first, ...rest]);
    results.forEach((inserted, i) => {
      const row = group[i];
      if (row && inserted.length > 0) created.push(row);
    });
  }
  return created;
}

export async function enqueueDeliveries(env: Env, messages: WebhookDeliveryMessage[]): Promise<void> {
  for (const group of chunks(messages, SEND_BATCH_LIMIT)) {
    await env.WEBHOOK_DELIVERIES.sendBatch(group.map((body) => ({ body, contentType: "json" as const })));
  }
}

export function presentDelivery(row: DeliveryRow, attempts: AttemptRow[]) {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attemptCount: row.attemptCount,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt : null,
    deliveredAt: row.deliveredAt,
    failedAt: row.failedAt,
    createdAt: row.createdAt,
    attempts: attempts.map((a) => ({ statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, at: a.at })),
  };
}

async function attemptsOf(db: Db, orgId: string, deliveryIds: string[]): Promise<Map<string, AttemptRow[]>> {
  const byDelivery = new Map<string, AttemptRow[]>();
  for (const ids of chunks(deliveryIds, IN_LIST_LIMIT)) {
    const rows = await db
      .select()
      .from(webhookDeliveryAttempts)
      .where(and(eq(webhookDeliveryAttempts.orgId, orgId), inArray(webhookDeliveryAttempts.deliveryId, ids)))
      .orderBy(asc(webhookDeliveryAttempts.at), asc(webhookDeliveryAttempts.id));
    for (const row of rows) byDelivery.set(row.deliveryId, [...(byDelivery.get(row.deliveryId) ?? []), row]);
  }
  return byDelivery;
}

export interface DeliveryListQuery {
  status?: DeliveryRow["status"];
  limit: number;
  cursor?: Cursor;
}

export async function listDeliveries(db: Db, orgId: string, webhookId: string, query: DeliveryListQuery) {
  await getWebhook(db, orgId, webhookId);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.orgId, orgId),
        eq(webhookDeliveries.webhookId, webhookId),
        query.status ? eq(webhookDeliveries.status, query.status) : undefined,
        afterCursor(webhookDeliveries.createdAt, webhookDeliveries.id, query.cursor),
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit, (r) => ({ k: r.createdAt, id: r.id }));
  const attempts = await attemptsOf(db, orgId, page.data.map((r) => r.id));
  return { data: page.data.map((r) => presentDelivery(r, attempts.get(r.id) ?? [])), nextCursor: page.nextCursor };
}

/** A `webhook.test` ping; delivered even to a disabled endpoint, so it can be checked before being re-enabled. */
export async function sendTestDelivery(env: Env, db: Db, caller: Caller, webhookId: string) {
  const webhook = await getWebhook(db, caller.orgId, webhookId);
  const eventId = `evt_test_${crypto.randomUUID()}`;
  const timestamp = nowIso();
  const row = deliveryRow({
    orgId: caller.orgId,
    webhookId: webhook.id,
    eventId,
    eventType: TEST_EVENT_TYPE,
    payload: webhookPayload(TEST_EVENT_TYPE, timestamp, { webhookId: webhook.id, message: "Test event from Dossier" }),
  });
  await db.batch([
    db.insert(webhookDeliveries).values(row),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "webhook.tested",
      targetType: "webhook",
      targetId: webhook.id,
      data: { deliveryId: row.id },
    }),
  ]);
  await enqueueDeliveries(env, [{ deliveryId: row.id, generation: row.generation }]);
  return presentDelivery(row, []);
}

/**
 * Sends a delivery again from a fresh retry schedule. The generation bump makes any message still queued for
 * the previous run stale, so two retry chains never run for one delivery.
 */
export async function redeliver(env: Env, db: Db, caller: Caller, deliveryId: string) {
  const [existing] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.orgId, caller.orgId), eq(webhookDeliveries.id, deliveryId)))
    .limit(1);
  if (!existing) throw notFound("Webhook delivery");
  const webhook = await getWebhook(db, caller.orgId, existing.webhookId);
  if (!webhook.enabled && existing.eventType !== TEST_EVENT_TYPE) {
    throw new ApiError("CONFLICT", "The webhook is disabled; enable it (PATCH enabled:true) before redelivering");
  }
  const where = and(eq(webhookDeliveries.orgId, caller.orgId), eq(webhookDeliveries.id, deliveryId));
  const [updatedRows] = await db.batch([
    db
      .update(webhookDeliveries)
      .set({
        status: "pending",
        generation: sql`${webhookDeliveries.generation} + 1`,
        leaseUntil: null,
        nextAttemptAt: null,
        deliveredAt: null,
        failedAt: null,
      })
      .where(where)
      .returning(),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "webhook_delivery.redelivered",
      targetType: "webhook_delivery",
      targetId: deliveryId,
      data: { webhookId: webhook.id, eventId: existing.eventId, previousStatus: existing.status },
    }),
  ]);
  const updated = updatedRows[0];
  if (!updated) throw notFound("Webhook delivery");
  await enqueueDeliveries(env, [{ deliveryId: updated.id, generation: updated.generation }]);
  const attempts = await attemptsOf(db, caller.orgId, [updated.id]);
  return presentDelivery(updated, attempts.get(updated.id) ?? []);
}
