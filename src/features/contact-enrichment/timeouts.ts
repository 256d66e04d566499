import { and, eq, inArray, lt } from "drizzle-orm";
import { type Db, createDb } from "../../platform/db/client";
import { contactEnrichments } from "../../db/schema/contact-enrichment";
import { runStatements } from "../../platform/db/statements";
import type { Env } from "../../platform/env";
import { publishSettled } from "./events";
import { type ContactRow, type Settlement, settleRecord, settleStatements } from "./records";
import { contactMaxAgeMs } from "./settings";

const SWEEP_BATCH = 100;

export const isExpired = (row: Pick<ContactRow, "status" | "createdAt">, maxAgeMs: number, now = Date.now()) =>
  row.status === "pending" && now - Date.parse(row.createdAt) > maxAgeMs;

const timedOut = (maxAgeMs: number): Settlement => ({
  status: "timeout",
  error: { code: "ENRICHMENT_TIMEOUT", message: `No result within ${Math.round(maxAgeMs / 1000)} s`, category: "timeout" },
  actorKeyId: null,
});

/**
 * A pending record past the maximum age is stored as `timeout` when anyone looks at it, so reads, new requests
 * and the cron agree. Returns the record as it now stands and whether this call moved it (to publish once).
 */
export async function observeTimeout(env: Env, db: Db, row: ContactRow): Promise<{ row: ContactRow; settled: ContactRow | undefined }> {
  const maxAgeMs = contactMaxAgeMs(env);
  if (!isExpired(row, maxAgeMs)) return { row, settled: undefined };
  const settled = await settleRecord(db, row, timedOut(maxAgeMs));
  if (settled) return { row: settled, settled };
  const [now] = await db.select().from(contactEnrichments).where(eq(contactEnrichments.id, row.id)).limit(1);
  return { row: now ?? row, settled: undefined };
}

/** Cron: times out pending records whose queue message never finished (lost, retried out, worker restarts). */
export async function sweepStaleContactEnrichments(env: Env, now: number): Promise<number> {
  const db = createDb(env.DB);
  const maxAgeMs = contactMaxAgeMs(env);
  const cutoff = new Date(now - maxAgeMs).toISOString();
  const stale = await db
    .select()
    .from(contactEnrichments)
    .where(and(eq(contactEnrichments.status, "pending"), lt(contactEnrichments.createdAt, cutoff)))
    .limit(SWEEP_BATCH);
  if (stale.length === 0) return 0;
  const tokens = stale.map(() => crypto.randomUUID());
  await runStatements(db, stale.flatMap((row, i) => settleStatements(db, row, timedOut(maxAgeMs), tokens[i] as string)));
  const ours = new Map(stale.map((row, i) => [row.id, tokens[i]]));
  const after = await db.select().from(contactEnrichments).where(inArray(contactEnrichments.id, [...ours.keys()]));
  const moved = after.filter((row) => row.settleToken !== null && row.settleToken === ours.get(row.id));
  await publishSettled(env, moved);
  return moved.length;
}
