import { and, eq, lte, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { webhooks } from "../../db/schema/webhooks";
import { auditInsert } from "../tenancy";

/** An endpoint that has not answered 2xx for this long, while failing, is switched off. */
export const AUTO_DISABLE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

interface WebhookRef {
  id: string;
  orgId: string;
}

const byId = (hook: WebhookRef) => and(eq(webhooks.orgId, hook.orgId), eq(webhooks.id, hook.id));

export function successStatements(db: Db, hook: WebhookRef, at: string) {
  return [db.update(webhooks).set({ lastSuccessAt: at, failingSince: null }).where(byId(hook))] as const;
}

/**
 * Notes the failure and, when the endpoint has failed without a success since before the cutoff, disables it
 * and writes a `webhook.disabled` audit entry. The audit insert is conditional on the same predicate as the
 * update and runs first in the same batch, so the entry exists exactly when this batch disabled the webhook.
 */
export function failureStatements(db: Db, hook: WebhookRef, at: string) {
  const cutoff = new Date(Date.parse(at) - AUTO_DISABLE_AFTER_MS).toISOString();
  const eligible = and(byId(hook), eq(webhooks.enabled, true), lte(webhooks.failingSince, cutoff));
  return [
    db
      .update(webhooks)
      .set({ failingSince: sql`coalesce(${webhooks.failingSince}, ${at})` })
      .where(byId(hook)),
    auditInsert(db).select(
      db
        .select({
          id: sql<string>`${crypto.randomUUID()}`.as("id"),
          orgId: webhooks.orgId,
          actorKeyId: sql<null>`NULL`.as("actor_key_id"),
          action: sql<string>`'webhook.disabled'`.as("action"),
          targetType: sql<string>`'webhook'`.as("target_type"),
          targetId: webhooks.id,
          at: sql<string>`${at}`.as("at"),
          data: sql<string>`json_object('reason', 'failing', 'url', ${webhooks.url}, 'failingSince', ${webhooks.failingSince})`.as("data"),
        })
        .from(webhooks)
        .where(eligible),
    ),
    db.update(webhooks).set({ enabled: false, disabledReason: "failing", updatedAt: at }).where(eligible),
  ] as const;
}
