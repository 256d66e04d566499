import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { createDb } from "../../platform/db/client";
import type { Db } from "../../platform/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhooks } from "../../db/schema/webhooks";
import { type Env, readSettings } from "../../platform/env";
import { OutboundUrlError, assertOutboundUrl } from "../../platform/lib/outbound-fetch";
import { nowIso } from "../../platform/lib/time";
import { type DeliveryRow, TEST_EVENT_TYPE, type WebhookDeliveryMessage } from "./deliveries";
import { failureStatements, successStatements } from "./health";
import { WEBHOOK_MAX_RETRIES, retryDelaySeconds } from "./retry-schedule";
import { openSigningSecret, signDelivery } from "./signing";

/** An endpoint gets this long to answer before the attempt counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Longer than one attempt can take, so a live sender's lease never lapses mid-request. */
const LEASE_MS = 60_000;
const ERROR_BODY_CHARS = 200;

export type DeliveryOutcome =
  | { action: "ack"; result: "delivered" | "failed" | "stale" }
  | { action: "retry"; delaySeconds: number };

interface AttemptRecord {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

const current = (row: Pick<DeliveryRow, "id" | "generation">) =>
  and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.generation, row.generation), eq(webhookDeliveries.status, "pending"));

/** Ends a delivery for good; a no-op when it already ended or a redelivery superseded this run. */
export async function markDeliveryFailed(db: Db, message: WebhookDeliveryMessage, reason: string): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "failed", failedAt: nowIso(), lastError: reason, nextAttemptAt: null, leaseUntil: null })
    .where(current({ id: message.deliveryId, generation: message.generation }))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/** Takes the right to send this delivery now, so duplicate queue messages never send it twice at once. */
async function claim(db: Db, delivery: DeliveryRow): Promise<boolean> {
  const now = Date.now();
  const rows = await db
    .update(webhookDeliveries)
    .set({ leaseUntil: now + LEASE_MS })
    .where(and(current(delivery), or(isNull(webhookDeliveries.leaseUntil), lt(webhookDeliveries.leaseUntil, now))))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

async function post(url: URL, secret: string, delivery: DeliveryRow): Promise<AttemptRecord> {
  const headers = signDelivery(secret, delivery.id, new Date(), delivery.payload);
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": "Dossier-Webhooks/1.0" },
      body: delivery.payload,
      // A redirect is a failed attempt: following it would re-send a signed body to a URL nobody configured.
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    const latencyMs = Date.now() - started;
    if (res.ok) {
      await res.body?.cancel();
      return { statusCode: res.status, latencyMs, error: null };
    }
    const text = (await res.text().catch(() => "")).slice(0, ERROR_BODY_CHARS);
    return { statusCode: res.status, latencyMs, error: `Endpoint answered ${res.status}${text ? `: ${text}` : ""}` };
  } catch (error) {
    const latencyMs = Date.now() - started;
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { statusCode: null, latencyMs, error: timedOut ? `No answer within ${DELIVERY_TIMEOUT_MS} ms` : `Request failed: ${String(error)}` };
  }
}

function attemptRow(delivery: DeliveryRow, record: AttemptRecord, at: string) {
  return { id: crypto.randomUUID(), orgId: delivery.orgId, webhookId: delivery.webhookId, deliveryId: delivery.id, ...record, at };
}

/**
 * One queue message = one attempt: checks the delivery is still wanted, re-checks the URL with the outbound
 * guard, signs and POSTs, and records the attempt. `attempt` is the queue's 1-based `message.attempts`.
 */
export async function attemptDelivery(env: Env, message: WebhookDeliveryMessage, attempt: number): Promise<DeliveryOutcome> {
  const db = createDb(env.DB);
  const settings = readSettings(env);
  const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, message.deliveryId)).limit(1);
  if (!delivery || delivery.generation !== message.generation || delivery.status !== "pending") return { action: "ack", result: "stale" };
  const [webhook] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.orgId, delivery.orgId), eq(webhooks.id, delivery.webhookId)))
    .limit(1);
  if (!webhook) return { action: "ack", result: "stale" };
  if (!webhook.enabled && delivery.eventType !== TEST_EVENT_TYPE) {
    await markDeliveryFailed(db, message, "Webhook is disabled");
    return { action: "ack", result: "failed" };
  }
  if (!(await claim(db, delivery))) return { action: "retry", delaySeconds: LEASE_MS / 1000 };

  const at = nowIso();
  let url: URL;
  try {
    url = assertOutboundUrl(webhook.url, { allowLoopback: settings.ALLOW_LOOPBACK_FETCH });
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    // Not worth retrying: the URL itself is refused, and will be on every attempt.
    const reason = `Webhook URL refused: ${error.message}`;
    await db.batch([
      db.insert(webhookDeliveryAttempts).values(attemptRow(delivery, { statusCode: null, latencyMs: 0, error: reason }, at)),
      db
        .update(webhookDeliveries)
        .set({ status: "failed", failedAt: at, attemptCount: sql`${webhookDeliveries.attemptCount} + 1`, lastError: reason, lastStatusCode: null, lastAttemptAt: at, nextAttemptAt: null, leaseUntil: null })
        .where(current(delivery)),
      ...failureStatements(db, webhook, at),
    ]);
    return { action: "ack", result: "failed" };
  }

  const record = await post(url, await openSigningSecret(webhook.secretEncrypted, settings), delivery);
  const attemptAt = nowIso();
  const counted = { attemptCount: sql`${webhookDeliveries.attemptCount} + 1`, lastStatusCode: record.statusCode, lastError: record.error, lastAttemptAt: attemptAt, leaseUntil: null };
  if (record.error === null) {
    await db.batch([
      db.insert(webhookDeliveryAttempts).values(attemptRow(delivery, record, attemptAt)),
      db.update(webhookDeliveries).set({ ...counted, status: "delivered", deliveredAt: attemptAt, nextAttemptAt: null }).where(current(delivery)),
      ...successStatements(db, webhook, attemptAt),
    ]);
    return { action: "ack", result: "delivered" };
  }
  const last = attempt > WEBHOOK_MAX_RETRIES;
  const delaySeconds = retryDelaySeconds(attempt);
  await db.batch([
    db.insert(webhookDeliveryAttempts).values(attemptRow(delivery, record, attemptAt)),
    db
      .update(webhookDeliveries)
      .set({ ...counted, nextAttemptAt: last ? null : new Date(Date.parse(attemptAt) + delaySeconds * 1000).toISOString() })
      .where(current(delivery)),
    ...failureStatements(db, webhook, attemptAt),
  ]);
  return { action: "retry", delaySeconds };
}
