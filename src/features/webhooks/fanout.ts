import { type SQL, and, eq, inArray } from "drizzle-orm";
import { type Db, createDb } from "../../platform/db/client";
import { webhooks } from "../../db/schema/webhooks";
import type { Env } from "../../platform/env";
import type { DomainEvent } from "../../platform/events";
import { type DeliveryDraft, enqueueDeliveries, recordDeliveries, webhookPayload } from "./deliveries";

export type WebhookTarget = { id: string; orgId: string; events: string[] };

/** The enabled webhooks of some organizations, read by the publisher along with its other reads. */
export interface KnownWebhooks {
  orgIds: string[];
  targets: WebhookTarget[];
}

declare module "../../platform/events" {
  interface PublishHints {
    webhooks?: KnownWebhooks;
  }
}

const targetColumns = { id: webhooks.id, orgId: webhooks.orgId, events: webhooks.events };

/** The enabled webhooks of `org` (its id, or a subquery naming it), for a batch of reads. */
export const webhookTargetsQuery = (db: Db, org: string | SQL) =>
  db.select(targetColumns).from(webhooks).where(and(eq(webhooks.orgId, org), eq(webhooks.enabled, true)));

/** A `webhookTargetsQuery` row as D1 returns it. */
export const webhookTargetOf = (raw: Record<string, unknown>): WebhookTarget => ({
  id: String(raw.id),
  orgId: String(raw.org_id),
  events: JSON.parse(String(raw.events)) as string[],
});

/**
 * Turns domain events into one delivery per (event, subscribed enabled webhook of the event's organization)
 * and queues them. A job's named webhook (`event.webhookId`) needs no special case: it belongs to the same
 * organization, so it is among these whenever it is enabled and subscribed to the type; a webhook of another
 * organization never is. `known` saves the read when the publisher already has the organizations' webhooks.
 */
export async function fanOutEvents(env: Env, events: DomainEvent[], known?: KnownWebhooks): Promise<number> {
  if (events.length === 0) return 0;
  const db = createDb(env.DB);
  const orgIds = [...new Set(events.map((e) => e.orgId))];
  const candidates =
    known && orgIds.every((id) => known.orgIds.includes(id))
      ? known.targets
      : await db.select(targetColumns).from(webhooks).where(and(inArray(webhooks.orgId, orgIds), eq(webhooks.enabled, true)));

  const drafts: DeliveryDraft[] = [];
  for (const event of events) {
    const targets = candidates.filter((hook) => hook.orgId === event.orgId && hook.events.includes(event.type));
    if (targets.length === 0) continue;
    const payload = webhookPayload(event.type, event.occurredAt, event.data);
    for (const hook of targets) {
      drafts.push({ orgId: event.orgId, webhookId: hook.id, eventId: event.id, eventType: event.type, payload });
    }
  }
  if (drafts.length === 0) return 0;
  const created = await recordDeliveries(db, drafts);
  await enqueueDeliveries(env, created.map((row) => ({ deliveryId: row.id, generation: row.generation })));
  return created.length;
}
