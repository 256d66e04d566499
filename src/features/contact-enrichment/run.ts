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
import { contactsFound } from "./found";
import { type ContactPlan, planContactSearch } from "./plan";
import { type ContactRow, type Settlement, findContactRecord, settleRecord, settleStatements, settledBy } from "./records";
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
  const results: EnrichmentResult[] = [];
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
    const found = contactsFound(record.field, result, entity.attributes.country);
    if (found.length > 0) return { results, found, winner: result };
  }
  return { results, found: [] };
}

/** Nothing found: NO_DATA when some provider answered, else the last provider failure. */
function failureOf(field: ContactField, results: EnrichmentResult[]): ContactError {
  const answered = results.some((r) => r.success || r.error?.category === "no_data");
  const last = results.at(-1)?.error;
  if (answered || !last) {
    return { code: "NO_DATA", message: `No ${field} found (tried ${results.map((r) => r.integrationCode).join(", ")})`, category: "no_data" };
  }
  return { code: last.code, message: `${results.at(-1)?.integrationCode}: ${last.message}`, category: last.category };
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
  const plan = await planContactSearch(db, record.orgId, record.field);
  if (plan.integrations.length === 0) {
    const error = { code: "INTEGRATION_NOT_ENABLED", message: `No enabled integration can find ${record.field}`, category: "configuration" };
    return settleAlone(env, db, record, { status: "failed", error, actorKeyId });
  }

  const deadline = Date.parse(record.createdAt) + maxAgeMs;
  const limit = connections ?? new Semaphore(readSettings(env).MAX_CONNECTIONS_PER_INVOCATION);
  const { results, found, winner } = await search(env, db, record, entity, plan, deadline, limit);
  const settlement: Settlement = winner
    ? { status: "finished", dataFound: found, globalEnrichmentId: winner.cached ? (winner.globalEnrichmentId ?? null) : null, actorKeyId }
    : Date.now() >= deadline
      ? { status: "timeout", error: { code: "ENRICHMENT_TIMEOUT", message: `No result within ${Math.round(maxAgeMs / 1000)} s`, category: "timeout" }, actorKeyId }
      : { status: "failed", error: failureOf(record.field, results), actorKeyId };

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
