import { and, eq } from "drizzle-orm";
import { type Db, createDb } from "../../platform/db/client";
import type { ContactError, ContactField, ContactFound } from "../../db/schema/contact-enrichment";
import { entities } from "../../db/schema/entities";
import { runStatements } from "../../platform/db/statements";
import { inputOf } from "../enrichment";
import { persistStatements } from "../enrichment";
import type { EnrichmentResult } from "../enrichment";
import { runIntegration } from "../enrichment";
import { type Env, readSettings } from "../../platform/env";
import { derivedUuid } from "../../platform/lib/crypto";
import { Semaphore } from "../../platform/lib/semaphore";
import type { EntityRow } from "../entities";
import { contactChargeStatements } from "./charge";
import { publishSettled } from "./events";
import { contactsFound, ownContacts } from "./found";
import { type ContactPlan, planContactSearch } from "./plan";
import { type ContactRow, FOUND_NOTHING, type Settlement, findContactRecord, settleRecord, settleStatements, settledBy } from "./records";
import { contactMaxAgeMs } from "./settings";
import { isExpired, observeTimeout } from "./timeouts";

export interface ContactTask {
  recordId: string;
  orgId: string;
}

interface SearchOutcome {
  results: EnrichmentResult[];
  found: ContactFound[];
  winner?: EnrichmentResult;
  /** Some integration found only what the person already has. */
  foundOnlyOwn: boolean;
}

/** Tries the plan's integrations in order through the core (cache, retries, time budgets); the first that finds something wins. */
async function search(
  env: Env,
  db: Db,
  record: ContactRow,
  entity: EntityRow,
  plan: ContactPlan,
  deadline: number,
  connections: Semaphore,
): Promise<SearchOutcome> {
  const settings = readSettings(env);
  const input = inputOf(entity, { fields: [record.field] });
  const own = ownContacts(record.field, entity.attributes);
  const results: EnrichmentResult[] = [];
  let foundOnlyOwn = false;
  for (const integration of plan.integrations) {
    if (Date.now() >= deadline) break;
    const result = await runIntegration(integration, input, {
      env,
      settings,
      db,
      orgId: record.orgId,
      settingsRow: plan.settingsRows.get(integration.code),
      forceRefresh: false,
      deadline,
      connections,
      enrichmentId: await derivedUuid(`${record.id}:${integration.code}`),
    });
    results.push(result);
    const all = contactsFound(record.field, result, entity.attributes.country);
    const found = all.filter((f) => !own.has(f.value));
    if (found.length > 0) return { results, found, winner: result, foundOnlyOwn };
    if (all.length > 0) foundOnlyOwn = true;
  }
  return { results, found: [], foundOnlyOwn };
}

/**
 * Nothing new found: NO_DATA when some provider answered (or found only the person's own value), else the last
 * provider failure. Result messages never name their integration, so the source is named here, once.
 */
function failureOf(field: ContactField, outcome: SearchOutcome): ContactError {
  const { results } = outcome;
  const answered = results.some((r) => r.success || r.error?.category === "no_data");
  const last = results.at(-1);
  const tried = results.map((r) => r.integrationCode).join(", ");
  if (answered || !last?.error) {
    const what = outcome.foundOnlyOwn ? `No ${field} found other than the person's own` : `No ${field} found`;
    return { code: FOUND_NOTHING, message: `${what} (tried ${tried})`, category: "no_data" };
  }
  return { code: last.error.code, message: `${last.integrationCode}: ${last.error.message}`, category: last.error.category };
}

/** When no integration of the order can run (any more) for the person: what each lacks, named once per source. */
function unrunnable(plan: ContactPlan): ContactError {
  const lacking = plan.leftOut.some((l) => l.reason === "missing_inputs");
  const message = plan.leftOut.map((l) => `${l.integrationCode}: ${l.message}`).join("; ");
  return lacking
    ? { code: "MISSING_INPUT", message, category: "validation" }
    : { code: "INTEGRATION_NOT_ENABLED", message, category: "configuration" };
}

async function settleAlone(env: Env, db: Db, record: ContactRow, settlement: Settlement): Promise<void> {
  const settled = await settleRecord(db, record, settlement);
  if (settled) await publishSettled(env, [settled]);
}

/**
 * The `contact_enrichment` queue task. Safe to run twice for the same record, even at once: it skips records that
 * left `pending`, and its results, charge and status land in one batch that only the first settlement applies.
 * Throws only on infrastructure failures, so the queue retries those. `connections` is the consumer invocation's
 * shared cap on open outbound connections, when it has one.
 */
export async function runContactEnrichment(env: Env, task: ContactTask, connections?: Semaphore): Promise<void> {
  const db = createDb(env.DB);
  const record = await findContactRecord(db, task.orgId, task.recordId);
  if (!record || record.status !== "pending") return;
  const maxAgeMs = contactMaxAgeMs(env);
  if (isExpired(record, maxAgeMs)) {
    const { settled } = await observeTimeout(env, db, record);
    if (settled) await publishSettled(env, [settled]);
    return;
  }
  const actorKeyId = record.createdBy;
  const [entity] = await db
    .select()
    .from(entities)
    .where(and(eq(entities.orgId, record.orgId), eq(entities.id, record.entityId)))
    .limit(1);
  if (!entity) {
    return settleAlone(env, db, record, { status: "failed", error: { code: "NOT_FOUND", message: "The person was deleted", category: "validation" }, actorKeyId });
  }
  // The person may have changed since the POST: plan again with what it has now.
  const plan = await planContactSearch(db, record.orgId, record.field, inputOf(entity));
  if (plan.integrations.length === 0) return settleAlone(env, db, record, { status: "failed", error: unrunnable(plan), actorKeyId });

  const deadline = Date.parse(record.createdAt) + maxAgeMs;
  const limit = connections ?? new Semaphore(readSettings(env).MAX_CONNECTIONS_PER_INVOCATION);
  const outcome = await search(env, db, record, entity, plan, deadline, limit);
  const { results, found, winner } = outcome;
  const settlement: Settlement = winner
    ? { status: "finished", dataFound: found, globalEnrichmentId: winner.cached ? (winner.globalEnrichmentId ?? null) : null, actorKeyId }
    : Date.now() >= deadline
      ? { status: "timeout", error: { code: "ENRICHMENT_TIMEOUT", message: `No result within ${Math.round(maxAgeMs / 1000)} s`, category: "timeout" }, actorKeyId }
      : { status: "failed", error: failureOf(record.field, outcome), actorKeyId };

  const token = crypto.randomUUID();
  const statements = settleStatements(db, record, settlement, token);
  if (settlement.status === "finished" && record.credits > 0) {
    const costCents = results.reduce((sum, r) => sum + r.costCents, 0);
    statements.push(
      ...contactChargeStatements(db, { orgId: record.orgId, recordId: record.id, field: record.field, credits: record.credits, costCents, actorKeyId, settleToken: token }),
    );
  }
  // The contact price replaces the integrations' own credits, so the underlying records are written uncharged.
  statements.push(
    ...persistStatements(db, {
      orgId: record.orgId,
      entityId: entity.id,
      entityEnriched: entity.enriched,
      results: results.map((r) => ({ ...r, credits: 0 })),
      actorKeyId,
    }),
  );
  await runStatements(db, statements);
  const settled = await settledBy(db, record.id, token);
  if (settled) await publishSettled(env, [settled]);
}
