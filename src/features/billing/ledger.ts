import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { creditTransactions } from "../../db/schema/billing";
import { organizations } from "../../db/schema/tenancy";
import { ApiError, notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { sqlFragment } from "../../platform/db/sql-fragment";
import { releaseStatement, chargeOnce, grantStatements } from "./guarded";
import { auditStatement } from "../tenancy";
import type { BillingMode } from "../../domain/vocabulary";

export type { BillingMode };

async function billingModeOf(db: Db, orgId: string): Promise<BillingMode> {
  const [org] = await db
    .select({ billingMode: organizations.billingMode })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .limit(1);
  if (!org) throw notFound("Organization");
  return org.billingMode;
}

/**
 * Holds `amount` credits of a prepaid organization for work about to run. One conditional UPDATE, so
 * concurrent requests can never hold more than the balance. Postpaid organizations always run.
 * `knownBillingMode` (read by the caller in a batch of its own) saves a round trip; the hold itself never
 * trusts it for the balance, which only the UPDATE's condition checks.
 */
export async function reserveCredits(db: Db, orgId: string, amount: number, knownBillingMode?: BillingMode): Promise<{ reserved: number }> {
  const billingMode = knownBillingMode ?? (await billingModeOf(db, orgId));
  if (billingMode !== "prepaid" || amount <= 0) return { reserved: 0 };
  const held = await db
    .update(organizations)
    .set({ reservedCredits: sql`${organizations.reservedCredits} + ${amount}` })
    .where(
      and(eq(organizations.id, orgId), sql`${organizations.creditBalance} - ${organizations.reservedCredits} >= ${amount}`),
    )
    .returning({ balance: organizations.creditBalance });
  if (held.length === 0) {
    const [now] = await db
      .select({ balance: organizations.creditBalance, reserved: organizations.reservedCredits })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    const available = (now?.balance ?? 0) - (now?.reserved ?? 0);
    throw new ApiError("INSUFFICIENT_CREDITS", `This needs up to ${amount} credits; ${available} are available`, {
      details: { required: amount, available },
    });
  }
  return { reserved: amount };
}

export async function releaseCredits(db: Db, orgId: string, amount: number): Promise<void> {
  if (amount > 0) await releaseStatement(db, orgId, amount).run();
}

export interface Charge {
  orgId: string;
  enrichmentId: string;
  credits: number;
  costCents: number;
  integrationCode: string;
  jobId?: string | null;
  reason: string;
}

/**
 * Exactly-once charge for one enrichment record: lands only if the enrichment exists and succeeded, and only once
 * per enrichment (see chargeOnce). Safe to repeat for the same enrichment: repeats change nothing.
 */
export function chargeStatements(db: Db, charge: Charge): D1PreparedStatement[] {
  return chargeOnce(db, {
    orgId: charge.orgId,
    credits: charge.credits,
    costCents: charge.costCents,
    reason: charge.reason,
    integrationCode: charge.integrationCode,
    sourceId: charge.enrichmentId,
    jobId: charge.jobId,
    onlyIf: sqlFragment("EXISTS (SELECT 1 FROM enrichments WHERE id = ? AND org_id = ? AND status = 'succeeded')", charge.enrichmentId, charge.orgId),
  }).statements;
}

export async function grantCredits(db: Db, orgId: string, amount: number, reason: string) {
  const txId = crypto.randomUUID();
  await db.batch([
    ...grantStatements(db, orgId, amount, reason, txId),
    auditStatement(db, {
      orgId,
      actorKeyId: null,
      action: "credits.granted",
      targetType: "organization",
      targetId: orgId,
      data: { amount, reason, transactionId: txId },
    }),
  ]);
  return txId;
}

export async function creditSummary(db: Db, orgId: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId)).limit(1);
  if (!org) throw notFound("Organization");
  return {
    billingMode: org.billingMode,
    creditBalance: org.creditBalance,
    reservedCredits: org.reservedCredits,
    availableCredits: org.creditBalance - org.reservedCredits,
  };
}

export function presentTransaction(row: typeof creditTransactions.$inferSelect) {
  return {
    id: row.id,
    type: row.type,
    amount: row.amount,
    costCents: row.costCents,
    reason: row.reason,
    integrationCode: row.integrationCode,
    enrichmentId: row.enrichmentId,
    jobId: row.jobId,
    createdAt: row.createdAt,
  };
}

export async function listTransactions(db: Db, orgId: string, limit: number, cursor?: Cursor) {
  const rows = await db
    .select()
    .from(creditTransactions)
    .where(and(eq(creditTransactions.orgId, orgId), afterCursor(creditTransactions.createdAt, creditTransactions.id, cursor)))
    .orderBy(desc(creditTransactions.createdAt), desc(creditTransactions.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentTransaction), nextCursor: page.nextCursor };
}

export async function ledgerSum(db: Db, orgId: string): Promise<number> {
  const [row] = await db
    .select({ sum: sql<number>`coalesce(sum(${creditTransactions.amount}), 0)` })
    .from(creditTransactions)
    .where(eq(creditTransactions.orgId, orgId));
  return row?.sum ?? 0;
}

export async function usage(db: Db, orgId: string, groupBy: "integration" | "day", from?: string, to?: string) {
  const key = groupBy === "integration" ? sql<string>`${creditTransactions.integrationCode}` : sql<string>`substr(${creditTransactions.createdAt}, 1, 10)`;
  const rows = await db
    .select({
      key,
      credits: sql<number>`-sum(${creditTransactions.amount})`,
      costCents: sql<number>`sum(${creditTransactions.costCents})`,
      count: sql<number>`count(*)`,
    })
    .from(creditTransactions)
    .where(
      and(
        eq(creditTransactions.orgId, orgId),
        eq(creditTransactions.type, "charge"),
        from ? sql`${creditTransactions.createdAt} >= ${from}` : undefined,
        to ? sql`${creditTransactions.createdAt} < ${to}` : undefined,
      ),
    )
    .groupBy(key)
    .orderBy(key);
  return rows.map((r) => ({ [groupBy === "integration" ? "integrationCode" : "day"]: r.key, credits: r.credits, costCents: r.costCents, charges: r.count }));
}
