import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import type { ContactField } from "../../db/schema/contact-enrichment";
import { runStatements } from "../../platform/db/statements";
import type { Env } from "../../platform/env";
import { ApiError, notFound } from "../../platform/errors";
import { nowIso } from "../../platform/lib/time";
import { releaseCredits, reserveCredits } from "../billing";
import { type EntityRow, getEntity } from "../entities";
import { type LeftOut, planContactSearch } from "./plan";
import { inputOf } from "../enrichment";
import {
  type ContactRow,
  findActiveRecord,
  findContactRecord,
  findLatestRecord,
  foundNothing,
  insertPendingStatement,
  requestedAuditStatement,
  settleRecord,
} from "./records";
import { CONTACT_CREDIT_PRICES, contactGroupSlug } from "./settings";
import { observeTimeout } from "./timeouts";

export interface ContactDeps {
  env: Env;
  db: Db;
  /** Called with each record this request moved out of `pending`, whose event it must publish (routes: waitUntil). */
  announce: (settled: ContactRow) => void;
}

/** The message `provider-calls` carries for one contact enrichment. */
export interface ContactEnrichmentMessage {
  kind: "contact_enrichment";
  recordId: string;
  orgId: string;
}

export async function getPerson(db: Db, orgId: string, personId: string): Promise<EntityRow> {
  const entity = await getEntity(db, orgId, personId);
  if (entity.type !== "person") {
    throw new ApiError("UNPROCESSABLE", "Contact enrichment finds a person's emails and phones; this entity is a company", {
      details: { entityId: entity.id, type: entity.type },
    });
  }
  return entity;
}

/**
 * 422: the order's integrations, each with why it cannot run for this person (the attributes it lacks, or that it
 * is not enabled or configured), so the caller knows what to add.
 */
function cannotSearch(field: ContactField, leftOut: LeftOut[]): ApiError {
  const why = leftOut.some((l) => l.reason === "missing_inputs") ? "can run for this person" : "is enabled and configured";
  const message = `No integration that finds ${field} ${why}; the details say what each one of the "${contactGroupSlug(field)}" order needs`;
  return new ApiError("UNPROCESSABLE", message, { details: leftOut });
}

/** The pending or finished record, after storing a pending one past the maximum age as `timeout`. */
async function liveRecord(deps: ContactDeps, orgId: string, entityId: string, field: ContactField) {
  const active = await findActiveRecord(deps.db, orgId, entityId, field);
  if (!active) return undefined;
  const observed = await observeTimeout(deps.env, deps.db, active);
  if (observed.settled) deps.announce(observed.settled);
  return observed.row.status === "pending" || observed.row.status === "finished" ? observed.row : undefined;
}

export interface StartOptions {
  /**
   * Also answer the newest record when it is a search that found nothing (`foundNothing`), instead of searching
   * again: for presentations where such a search is finished like any other (Lance). Dossier's own API searches again.
   */
  reuseFoundNothing?: boolean;
}

/**
 * POST: answers the person's pending or finished record for the field if there is one (charging nothing), else
 * reserves the price (prepaid), inserts a pending record and queues its task. Concurrent requests insert one
 * record: the partial unique index lets one INSERT OR IGNORE land, the others read it back and release their hold.
 */
export async function startContactEnrichment(deps: ContactDeps, caller: Caller, personId: string, field: ContactField, options: StartOptions = {}) {
  const { db, env } = deps;
  const entity = await getPerson(db, caller.orgId, personId);
  const existing = await liveRecord(deps, caller.orgId, entity.id, field);
  if (existing) return { record: existing, created: false };
  if (options.reuseFoundNothing) {
    const latest = await findLatestRecord(db, caller.orgId, entity.id, field);
    if (latest && foundNothing(latest)) return { record: latest, created: false };
  }

  // Refused here, before any record or hold, when no integration of the order could ever run for this person.
  const plan = await planContactSearch(db, caller.orgId, field, inputOf(entity));
  if (plan.integrations.length === 0) throw cannotSearch(field, plan.leftOut);
  const credits = CONTACT_CREDIT_PRICES[field];
  const { reserved } = await reserveCredits(db, caller.orgId, credits);
  const now = nowIso();
  const row: ContactRow = {
    id: crypto.randomUUID(),
    orgId: caller.orgId,
    entityId: entity.id,
    field,
    status: "pending",
    error: null,
    dataFound: null,
    globalEnrichmentId: null,
    creditTransactionId: null,
    credits,
    reservedCredits: reserved,
    settleToken: null,
    createdBy: caller.keyId,
    createdAt: now,
    updatedAt: now,
  };
  let inserted: boolean;
  try {
    const [insert] = await runStatements(db, [insertPendingStatement(db, row), requestedAuditStatement(db, row)]);
    inserted = (insert?.meta.changes ?? 0) > 0;
  } catch (error) {
    await releaseCredits(db, caller.orgId, reserved);
    throw error;
  }
  if (!inserted) {
    await releaseCredits(db, caller.orgId, reserved);
    const winner = await findActiveRecord(db, caller.orgId, entity.id, field);
    if (!winner) throw new ApiError("CONFLICT", "The contact enrichment changed while this request ran; send it again");
    return { record: winner, created: false };
  }
  await enqueue(deps, row);
  return { record: row, created: true };
}

/** A record whose task cannot be queued fails at once (releasing its hold) rather than sitting out the timeout. */
async function enqueue(deps: ContactDeps, row: ContactRow) {
  const message: ContactEnrichmentMessage = { kind: "contact_enrichment", recordId: row.id, orgId: row.orgId };
  try {
    await deps.env.PROVIDER_CALLS.send(message);
  } catch (error) {
    const failed = await settleRecord(deps.db, row, {
      status: "failed",
      error: { code: "SYSTEM", message: "The enrichment could not be queued", category: "system" },
      actorKeyId: row.createdBy,
    });
    if (failed) deps.announce(failed);
    throw error;
  }
}

/** GET: the newest record for the person and field, a stale pending one stored and answered as `timeout`. */
export async function currentContactEnrichment(deps: ContactDeps, orgId: string, personId: string, field: ContactField): Promise<ContactRow> {
  const entity = await getPerson(deps.db, orgId, personId);
  const latest = await findLatestRecord(deps.db, orgId, entity.id, field);
  if (!latest) throw notFound("Contact enrichment");
  const observed = await observeTimeout(deps.env, deps.db, latest);
  if (observed.settled) deps.announce(observed.settled);
  return observed.row;
}

/** Cancels the pending record (releasing its hold); its task, if it still runs, then changes and charges nothing. */
export async function cancelContactEnrichment(deps: ContactDeps, caller: Caller, personId: string, field: ContactField): Promise<ContactRow> {
  const entity = await getPerson(deps.db, caller.orgId, personId);
  const live = await liveRecord(deps, caller.orgId, entity.id, field);
  if (!live || live.status !== "pending") {
    const latest = live ?? (await findLatestRecord(deps.db, caller.orgId, entity.id, field));
    if (!latest) throw notFound("Contact enrichment");
    throw new ApiError("CONFLICT", `Only a pending contact enrichment can be cancelled; this one is ${latest.status}`, {
      details: { id: latest.id, status: latest.status },
    });
  }
  const cancelled = await settleRecord(deps.db, live, { status: "cancelled", actorKeyId: caller.keyId });
  if (cancelled) {
    deps.announce(cancelled);
    return cancelled;
  }
  const now = await findContactRecord(deps.db, caller.orgId, live.id);
  throw new ApiError("CONFLICT", `The contact enrichment finished before it could be cancelled; it is ${now?.status ?? "gone"}`, {
    details: { id: live.id, status: now?.status ?? null },
  });
}
