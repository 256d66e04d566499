import { eq, sql } from "drizzle-orm";
import { creditTransactions } from "../../db/schema/billing";
import { organizations } from "../../db/schema/tenancy";
import type { Db } from "../../platform/db/client";
import { type SqlFragment, sqlFragment } from "../../platform/db/sql-fragment";
import { rawStatement } from "../../platform/db/statements";
import { nowIso } from "../../platform/lib/time";

/**
 * Billing is the only writer of balances, holds and the ledger. Other features put these builders in their own D1
 * batch, guarded by a condition on their own rows (`onlyIf`), so a charge or a release lands exactly with the change
 * it pays for, and never twice.
 */

/** Gives back up to `amount` of the organization's hold (never below zero); with `onlyIf`, only when it holds. */
export function releaseStatement(db: Db, orgId: string, amount: number | SqlFragment, onlyIf?: SqlFragment): D1PreparedStatement {
  const value = typeof amount === "number" ? sqlFragment("?", amount) : amount;
  const guard = onlyIf ? ` AND (${onlyIf.sql})` : "";
  return rawStatement(
    db,
    `UPDATE organizations SET reserved_credits = max(0, reserved_credits - (${value.sql})) WHERE id = ?${guard}`,
    ...value.params,
    orgId,
    ...(onlyIf?.params ?? []),
  );
}

/** True when the organization can run work that may charge `amount`: postpaid, or a prepaid balance whose available part covers it. */
export const canCover = (orgId: string, amount: number): SqlFragment =>
  sqlFragment("EXISTS (SELECT 1 FROM organizations WHERE id = ? AND (billing_mode <> 'prepaid' OR credit_balance - reserved_credits >= ?))", orgId, amount);

/** What holding `amount` for the organization takes from its balance: `amount` when prepaid, 0 when postpaid. */
export const holdAmount = (orgId: string, amount: number): SqlFragment =>
  sqlFragment("(SELECT CASE WHEN billing_mode = 'prepaid' THEN ? ELSE 0 END FROM organizations WHERE id = ?)", amount, orgId);

/**
 * Holds `amount` of a prepaid organization's balance for the caller's batch (the builder form of `reserveCredits`): lands
 * only when `onlyIf` holds and the available balance covers it, so concurrent holds never exceed the balance. Give it
 * back with `releaseStatement`.
 */
export function holdStatement(db: Db, orgId: string, amount: SqlFragment, onlyIf: SqlFragment): D1PreparedStatement {
  return rawStatement(
    db,
    `UPDATE organizations SET reserved_credits = reserved_credits + (${amount.sql})
     WHERE id = ? AND billing_mode = 'prepaid' AND credit_balance - reserved_credits >= (${amount.sql}) AND (${onlyIf.sql})`,
    ...amount.params,
    orgId,
    ...amount.params,
    ...onlyIf.params,
  );
}

export interface ChargeOnce {
  orgId: string;
  credits: number;
  costCents: number;
  reason: string;
  integrationCode: string;
  /** What is charged for (an enrichment, a contact enrichment): one charge per source, ever (unique in the ledger). */
  sourceId: string;
  jobId?: string | null;
  actorKeyId?: string | null;
  /** The charge lands only when this holds (the source succeeded, or this batch's settlement moved it). */
  onlyIf: SqlFragment;
}

/**
 * Exactly-once charge: the ledger row is inserted only if `onlyIf` holds and the source has no charge yet (unique
 * on type + source id), and the balance moves only if that very row was inserted. `charged` is true in a later
 * statement of the same batch exactly when this batch charged, for the caller's own follow-up writes.
 */
export function chargeOnce(db: Db, charge: ChargeOnce): { statements: D1PreparedStatement[]; charged: SqlFragment; txId: string } {
  const txId = crypto.randomUUID();
  const charged = sqlFragment("EXISTS (SELECT 1 FROM credit_transactions WHERE id = ?)", txId);
  return {
    txId,
    charged,
    statements: [
      rawStatement(
        db,
        `INSERT OR IGNORE INTO credit_transactions
          (id, org_id, type, amount, cost_cents, reason, integration_code, enrichment_id, job_id, actor_key_id, created_at)
         SELECT ?, ?, 'charge', ?, ?, ?, ?, ?, ?, ?, ?
         WHERE ${charge.onlyIf.sql}`,
        txId,
        charge.orgId,
        -charge.credits,
        charge.costCents,
        charge.reason,
        charge.integrationCode,
        charge.sourceId,
        charge.jobId ?? null,
        charge.actorKeyId ?? null,
        nowIso(),
        ...charge.onlyIf.params,
      ),
      rawStatement(db, `UPDATE organizations SET credit_balance = credit_balance - ? WHERE id = ? AND ${charged.sql}`, charge.credits, charge.orgId, ...charged.params),
    ],
  };
}

/** Credits added to the balance with their ledger row, for the caller's batch (a new organization's first credits). */
export function grantStatements(db: Db, orgId: string, amount: number, reason: string, txId = crypto.randomUUID()) {
  return [
    db.insert(creditTransactions).values({ id: txId, orgId, type: "grant", amount, reason, createdAt: nowIso() }),
    db
      .update(organizations)
      .set({ creditBalance: sql`${organizations.creditBalance} + ${amount}` })
      .where(eq(organizations.id, orgId)),
  ] as const;
}
