import { lt } from "drizzle-orm";
import { rateLimitWindows } from "../../db/schema/tenancy";
import { createDb } from "../../platform/db/client";
import type { Env } from "../../platform/env";

/** Rate-limit windows older than an hour count nothing any more. */
export async function sweepRateLimitWindows(env: Env, scheduledTime: number): Promise<void> {
  const db = createDb(env.DB);
  await db.delete(rateLimitWindows).where(lt(rateLimitWindows.windowStart, scheduledTime - 60 * 60 * 1000));
}
