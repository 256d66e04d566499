import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { type ContactError, type ContactField, type ContactFound, type ContactStatus, contactEnrichments } from "../../db/schema/contact-enrichment";
import { rawStatement, runStatements } from "../../platform/db/statements";
import { nowIso } from "../../platform/lib/time";
import { sqlFragment } from "../../platform/db/sql-fragment";
import { releaseStatement } from "../billing";
import { auditStatementIf } from "../tenancy";

export type ContactRow = typeof contactEnrichments.$inferSelect;

/** The error code a search that ran and found nothing new is settled with (`run.ts`); it is free. */
export const FOUND_NOTHING = "NO_DATA";

/**
 * A search that ran to its end and found nothing new. Stored as `failed` with NO_DATA, which is how Dossier's own
 * API shows it (and a later POST searches again); a presentation that counts it as a finished search (Lance's
 * `finished` + `dataFound: false`) derives it from here, and `startContactEnrichment({ reuseFoundNothing })` answers it.
 */
export const foundNothing = (row: Pick<ContactRow, "status" | "error">) => row.status === "failed" && row.error?.code === FOUND_NOTHING;

export function presentContactEnrichment(row: ContactRow) {
  return {
    id: row.id,
    entityId: row.entityId,
    entityType: "person" as const,
    field: row.field,
    status: row.status,
    error: row.error ?? null,
    dataFound: row.dataFound ?? null,
    globalEnrichmentId: row.globalEnrichmentId,
    creditTransactionId: row.creditTransactionId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    createdBy: row.createdBy,
  };
}

export type ContactEnrichmentView = ReturnType<typeof presentContactEnrichment>;

export async function findContactRecord(db: Db, orgId: string, id: string): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contactEnrichments)
    .where(and(eq(contactEnrichments.orgId, orgId), eq(contactEnrichments.id, id)))
    .limit(1);
  return row;
}

/** The pending or finished record, of which the unique index allows at most one. */
export async function findActiveRecord(db: Db, orgId: string, entityId: string, field: ContactField): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contactEnrichments)
    .where(
      and(
        eq(contactEnrichments.orgId, orgId),
        eq(contactEnrichments.entityId, entityId),
        eq(contactEnrichments.field, field),
        inArray(contactEnrichments.status, ["pending", "finished"]),
      ),
    )
    .limit(1);
  return row;
}

/** The newest record whatever its status: what GET answers. */
export async function findLatestRecord(db: Db, orgId: string, entityId: string, field: ContactField): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contactEnrichments)
    .where(and(eq(contactEnrichments.orgId, orgId), eq(contactEnrichments.entityId, entityId), eq(contactEnrichments.field, field)))
    .orderBy(desc(contactEnrichments.createdAt), desc(contactEnrichments.id))
    .limit(1);
  return row;
}

/** Inserted only if no pending or finished record exists for the person and field (the partial unique index). */
export function insertPendingStatement(db: Db, row: ContactRow): D1PreparedStatement {
  return rawStatement(
    db,
    `INSERT OR IGNORE INTO contact_enrichments
      (id, org_id, entity_id, field, status, credits, reserved_credits, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
    row.id,
    row.orgId,
    row.entityId,
    row.field,
    row.credits,
    row.reservedCredits,
    row.createdBy,
    row.createdAt,
    row.updatedAt,
  );
}

export interface Settlement {
  status: Exclude<ContactStatus, "pending">;
  error?: ContactError | null;
  dataFound?: ContactFound[] | null;
  globalEnrichmentId?: string | null;
  actorKeyId: string | null;
}

/**
 * Moves a record out of `pending`, releases its prepaid reservation and audits it. Every statement after the
 * first acts only if the first one moved the record (its settle token is ours), so of two racing settlements
 * (a duplicate queue message, a cancel, the timeout sweep) exactly one takes effect. Statements that must land
 * only with the settlement (the charge) use `settledBy(token)` as their condition.
 */
export function settleStatements(db: Db, row: Pick<ContactRow, "id" | "orgId" | "entityId" | "field">, s: Settlement, token: string) {
  const now = nowIso();
  const ours = sqlFragment("EXISTS (SELECT 1 FROM contact_enrichments WHERE id = ? AND settle_token = ?)", row.id, token);
  return [
    rawStatement(
      db,
      `UPDATE contact_enrichments SET status = ?, error = ?, data_found = ?, global_enrichment_id = ?, settle_token = ?, updated_at = ?
       WHERE id = ? AND org_id = ? AND status = 'pending'`,
      s.status,
      s.error ? JSON.stringify(s.error) : null,
      s.dataFound ? JSON.stringify(s.dataFound) : null,
      s.globalEnrichmentId ?? null,
      token,
      now,
      row.id,
      row.orgId,
    ),
    releaseStatement(db, row.orgId, sqlFragment("(SELECT reserved_credits FROM contact_enrichments WHERE id = ?)", row.id), ours),
    auditStatementIf(
      db,
      {
        orgId: row.orgId,
        actorKeyId: s.actorKeyId,
        action: `contact_enrichment.${s.status}`,
        targetType: "contact_enrichment",
        targetId: row.id,
        at: now,
        data: { entityId: row.entityId, field: row.field, error: s.error?.code ?? null, found: s.dataFound?.length ?? 0 },
      },
      ours,
    ),
  ];
}

/** Whether the settlement with this token is the one that moved the record. */
export async function settledBy(db: Db, id: string, token: string): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contactEnrichments)
    .where(and(eq(contactEnrichments.id, id), eq(contactEnrichments.settleToken, token)))
    .limit(1);
  return row;
}

/** Settles one record on its own; returns the settled row when this call moved it, undefined when another did. */
export async function settleRecord(db: Db, row: ContactRow, s: Settlement): Promise<ContactRow | undefined> {
  const token = crypto.randomUUID();
  await runStatements(db, settleStatements(db, row, s, token));
  return settledBy(db, row.id, token);
}

/** The request's audit row, written only if the record it describes was inserted. */
export function requestedAuditStatement(db: Db, row: ContactRow): D1PreparedStatement {
  return auditStatementIf(
    db,
    {
      orgId: row.orgId,
      actorKeyId: row.createdBy,
      action: "contact_enrichment.requested",
      targetType: "contact_enrichment",
      targetId: row.id,
      at: row.createdAt,
      data: { entityId: row.entityId, field: row.field, credits: row.credits, reservedCredits: row.reservedCredits },
    },
    sqlFragment("EXISTS (SELECT 1 FROM contact_enrichments WHERE id = ?)", row.id),
  );
}
