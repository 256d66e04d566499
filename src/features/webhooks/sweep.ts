import { and, eq, lt } from "drizzle-orm";
import { type Db, createDb } from "../../platform/db/client";
import { webhookDeliveries } from "../../db/schema/webhooks";
import type { Env } from "../../platform/env";
import { enqueueDeliveries } from "./deliveries";

/** A delivery never attempted this long after it was recorded lost its queue message (a crash between insert and send). */
export const ORPHANED_DELIVERY_AGE_MS = 15 * 60 * 1000;

/** Re-queues orphaned deliveries; a duplicate message is harmless because delivery rows are claimed before sending. */
export async function requeueOrphanedDeliveries(env: Env, db: Db, now: number, limit = 500): Promise<number> {
  const orphans = await db
    .select({ deliveryId: webhookDeliveries.id, generation: webhookDeliveries.generation })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.attemptCount, 0),
        lt(webhookDeliveries.createdAt, new Date(now - ORPHANED_DELIVERY_AGE_MS).toISOString()),
      ),
    )
    .limit(limit);
  await enqueueDeliveries(env, orphans);
  return orphans.length;
}

/** The cron's part: deliveries whose queue message was lost go back on the queue. */
export async function sweepOrphanedDeliveries(env: Env, scheduledTime: number): Promise<void> {
  await requeueOrphanedDeliveries(env, createDb(env.DB), scheduledTime);
}
