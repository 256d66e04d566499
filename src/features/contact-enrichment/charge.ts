import type { Db } from "../../platform/db/client";
import type { ContactField } from "../../db/schema/contact-enrichments";
import { rawStatement } from "../../platform/db/statements";
import { nowIso } from "../../platform/lib/time";

export interface ContactCharge {
  orgId: string;
  recordId: string;
  field: ContactField;
  credits: number;
  costCents: number;
  actorKeyId: string | null;
  /** The settlement this charge belongs to (see `settleStatements`). */
  settleToken: string;
}

/**
 * The one charge of a finished contact enrichment, batched after its settlement. The ledger row is keyed on the
 * record (unique on type + enrichment id, so `enrichmentId` in the ledger is the contact enrichment's id) and
 * lands only with the settlement that moved the record; the balance moves and the record points at the row
 * only if this very row was inserted. A duplicate queue message therefore charges nothing.
 */
export function contactChargeStatements(db: Db, charge: ContactCharge): D1PreparedStatement[] {
  const txId = crypto.randomUUID();
  const inserted = "EXISTS (SELECT 1 FROM credit_transactions WHERE id = ?)";
  return [
    rawStatement(
      db,
      `INSERT OR IGNORE INTO credit_transactions
        (id, org_id, type, amount, cost_cents, reason, integration_code, enrichment_id, job_id, actor_key_id, created_at)
       SELECT ?, ?, 'charge', ?, ?, ?, ?, ?, NULL, ?, ?
       WHERE EXISTS (SELECT 1 FROM contact_enrichments WHERE id = ? AND settle_token = ?)`,
      txId,
      charge.orgId,
      -charge.credits,
      charge.costCents,
      `contact enrichment (${charge.field})`,
      `contact_enrichment:${charge.field}`,
      charge.recordId,
      charge.actorKeyId,
      nowIso(),
      charge.recordId,
      charge.settleToken,
    ),
    rawStatement(db, `UPDATE organizations SET credit_balance = credit_balance - ? WHERE id = ? AND ${inserted}`, charge.credits, charge.orgId, txId),
    rawStatement(db, `UPDATE contact_enrichments SET credit_transaction_id = ? WHERE id = ? AND ${inserted}`, txId, charge.recordId, txId),
  ];
}
