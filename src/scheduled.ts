import { features } from "./features";
import type { Env } from "./platform/env";
import type { CronSweep } from "./platform/worker/feature";
import { sweepIdempotencyKeys } from "./platform/http/idempotency";

/** The platform's sweep, then every feature's, in feature order. */
const sweeps: readonly CronSweep[] = [sweepIdempotencyKeys, ...features.flatMap((f) => f.cron ?? [])];

/**
 * Cron: drops expired idempotency records and old rate-limit windows, re-queues orphaned webhook deliveries and
 * settles stale contact enrichments. Sweeps run one after another; one failing stops the rest, as before, and the
 * next trigger runs them again.
 */
export async function runScheduledMaintenance(env: Env, scheduledTime: number): Promise<void> {
  for (const sweep of sweeps) await sweep(env, scheduledTime);
}
