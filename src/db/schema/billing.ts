import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const creditTransactions = sqliteTable(
  "credit_transactions",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    type: text("type", { enum: ["grant", "charge", "refund"] }).notNull(),
    /** Signed: grants and refunds positive, charges negative. */
    amount: integer("amount").notNull(),
    costCents: integer("cost_cents").notNull().default(0),
    reason: text("reason").notNull(),
    integrationCode: text("integration_code"),
    enrichmentId: text("enrichment_id"),
    jobId: text("job_id"),
    actorKeyId: text("actor_key_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("credit_tx_org_created_idx").on(t.orgId, t.createdAt, t.id),
    /** One charge per enrichment record, whatever retries or replays happen. */
    uniqueIndex("credit_tx_charge_once_idx").on(t.type, t.enrichmentId),
  ],
);
