import { lt } from "drizzle-orm";
import { createDb } from "./platform/db/client";
import { idempotencyKeys, rateLimitWindows } from "./db/schema/tenancy";
import type { Env } from "./platform/env";
import { IDEMPOTENCY_TTL_MS } from "./platform/http/idempotency";
import { sweepStaleContactEnrichments } from "./features/contact-enrichment/timeouts";
import { requeueOrphanedDeliveries } from "./features/webhooks/sweep";

/** Cron: drops expired idempotency records and old rate-limit windows, and re-queues orphaned webhook deliveries. */
export async function runScheduledMaintenance(env: Env, scheduledTime: number): Promise<void> {
  const db = createDb(env.DB);
  await db.batch([
    db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(scheduledTime - IDEMPOTENCY_TTL_MS).toISOString())),
    db.delete(rateLimitWindows).where(lt(rateLimitWindows.windowStart, scheduledTime - 60 * 60 * 1000)),
  ]);
  await requeueOrphanedDeliveries(env, db, scheduledTime);
  await sweepStaleContactEnrichments(env, scheduledTime);
}
