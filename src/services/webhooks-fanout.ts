import { and, eq, inArray } from "drizzle-orm";
import { createDb } from "../db/client";
import { webhooks } from "../db/schema/webhooks";
import type { Env } from "../env";
import type { DomainEvent } from "../events/bus";
import { type DeliveryDraft, enqueueDeliveries, recordDeliveries, webhookPayload } from "./webhooks-deliveries";

/**
 * Turns domain events into one delivery per (event, subscribed enabled webhook of the event's organization)
 * and queues them. A job's named webhook (`event.webhookId`) needs no special case: it belongs to the same
 * organization, so it is among these whenever it is enabled and subscribed to the type; a webhook of another
 * organization never is.
 */
export async function fanOutEvents(env: Env, events: DomainEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const db = createDb(env.DB);
  const orgIds = [...new Set(events.map((e) => e.orgId))];
  const candidates = await db
    .select({ id: webhooks.id, orgId: webhooks.orgId, events: webhooks.events })
    .from(webhooks)
    .where(and(inArray(webhooks.orgId, orgIds), eq(webhooks.enabled, true)));

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
