import { and, desc, eq } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhooks } from "../../db/schema/webhooks";
import type { Settings } from "../../platform/env";
import { ApiError, notFound } from "../../platform/errors";
import { OutboundUrlError, assertOutboundUrl } from "../../platform/lib/outbound-fetch";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { auditStatement } from "../tenancy";
import { generateSigningSecret, sealSigningSecret } from "./signing";

/** An event name the features declared in their manifests (`webhookEvents`); the routes check it against that list. */
export type WebhookEventType = string;
export type WebhookRow = typeof webhooks.$inferSelect;

export function presentWebhook(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as WebhookEventType[],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    lastSuccessAt: row.lastSuccessAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The outbound guard at the door: a URL we would refuse to call is refused when it is saved. */
export function checkWebhookUrl(url: string, settings: Settings): string {
  try {
    return assertOutboundUrl(url, { allowLoopback: settings.ALLOW_LOOPBACK_FETCH }).toString();
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    throw new ApiError("VALIDATION_ERROR", `Webhook URL refused: ${error.message}`, {
      details: [{ path: "url", message: error.message }],
    });
  }
}

export async function getWebhook(db: Db, orgId: string, id: string): Promise<WebhookRow> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, id)))
    .limit(1);
  if (!row) throw notFound("Webhook");
  return row;
}

export interface NewWebhook {
  url: string;
  events: WebhookEventType[];
  enabled?: boolean;
  description?: string | null;
}

export async function createWebhook(db: Db, settings: Settings, caller: Caller, input: NewWebhook) {
  const url = checkWebhookUrl(input.url, settings);
  const secret = generateSigningSecret();
  const now = nowIso();
  const row: WebhookRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    url,
    description: input.description ?? null,
    events: [...new Set(input.events)],
    enabled: input.enabled ?? true,
    disabledReason: null,
    secretEncrypted: await sealSigningSecret(secret, settings),
    failingSince: null,
    lastSuccessAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.batch([
    db.insert(webhooks).values(row),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "webhook.created",
      targetType: "webhook",
      targetId: row.id,
      data: { url: row.url, events: row.events, enabled: row.enabled },
    }),
  ]);
  return { ...presentWebhook(row), secret };
}

export async function listWebhooks(db: Db, orgId: string, limit: number, cursor?: Cursor) {
  const rows = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.orgId, orgId), afterCursor(webhooks.createdAt, webhooks.id, cursor)))
    .orderBy(desc(webhooks.createdAt), desc(webhooks.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentWebhook), nextCursor: page.nextCursor };
}

export interface WebhookPatch {
  url?: string;
  events?: WebhookEventType[];
  enabled?: boolean;
  description?: string | null;
}

export async function updateWebhook(db: Db, settings: Settings, caller: Caller, id: string, patch: WebhookPatch) {
  const existing = await getWebhook(db, caller.orgId, id);
  const enabled = patch.enabled ?? existing.enabled;
  // Turning an endpoint back on starts its failure clock afresh; otherwise one more failure would disable it again.
  const reEnabled = enabled && !existing.enabled;
  const updated: WebhookRow = {
    ...existing,
    url: patch.url === undefined ? existing.url : checkWebhookUrl(patch.url, settings),
    events: patch.events ? [...new Set(patch.events)] : existing.events,
    description: patch.description === undefined ? existing.description : patch.description,
    enabled,
    disabledReason: enabled ? null : existing.disabledReason,
    failingSince: reEnabled ? null : existing.failingSince,
    updatedAt: nowIso(),
  };
  await db.batch([
    db
      .update(webhooks)
      .set({
        url: updated.url,
        events: updated.events,
        description: updated.description,
        enabled: updated.enabled,
        disabledReason: updated.disabledReason,
        failingSince: updated.failingSince,
        updatedAt: updated.updatedAt,
      })
      .where(and(eq(webhooks.orgId, caller.orgId), eq(webhooks.id, id))),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "webhook.updated",
      targetType: "webhook",
      targetId: id,
      data: { changed: Object.keys(patch), url: updated.url, events: updated.events, enabled: updated.enabled },
    }),
  ]);
  return presentWebhook(updated);
}

/** Deletes the endpoint with its delivery history; queued messages for it then find nothing and are dropped. */
export async function deleteWebhook(db: Db, caller: Caller, id: string): Promise<void> {
  const existing = await getWebhook(db, caller.orgId, id);
  await db.batch([
    db.delete(webhookDeliveryAttempts).where(and(eq(webhookDeliveryAttempts.orgId, caller.orgId), eq(webhookDeliveryAttempts.webhookId, id))),
    db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.orgId, caller.orgId), eq(webhookDeliveries.webhookId, id))),
    db.delete(webhooks).where(and(eq(webhooks.orgId, caller.orgId), eq(webhooks.id, id))),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: id,
      data: { url: existing.url },
    }),
  ]);
}
