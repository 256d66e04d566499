import type { Db } from "../../platform/db/client";
import type { ContactField } from "../../db/schema/contact-enrichment";
import { rawStatement } from "../../platform/db/statements";
import { sqlFragment } from "../../platform/db/sql-fragment";
import { chargeOnce } from "../billing";

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
  const { statements, charged, txId } = chargeOnce(db, {
    orgId: charge.orgId,
    credits: charge.credits,
    costCents: charge.costCents,
    reason: `contact enrichment (${charge.field})`,
    integrationCode: `contact_enrichment:${charge.field}`,
    sourceId: charge.recordId,
    actorKeyId: charge.actorKeyId,
    onlyIf: sqlFragment("EXISTS (SELECT 1 FROM contact_enrichments WHERE id = ? AND settle_token = ?)", charge.recordId, charge.settleToken),
  });
  return [
    ...statements,
    rawStatement(db, `UPDATE contact_enrichments SET credit_transaction_id = ? WHERE id = ? AND ${charged.sql}`, txId, charge.recordId, ...charged.params),
  ];
}
