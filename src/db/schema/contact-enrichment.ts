import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export type ContactField = "emails" | "phones";
export type ContactStatus = "pending" | "finished" | "failed" | "timeout" | "cancelled";

export interface ContactError {
  code: string;
  message: string;
  category: string;
}

export interface ContactFound {
  value: string;
  source: string;
  confidence: number;
}

/**
 * One asynchronous search for a person's emails or phones. At most one record per (organization, person, field)
 * is pending or finished at a time (the partial unique index), which is what makes POST idempotent per person
 * even when requests race; failed, timed-out and cancelled records stay as history.
 */
export const contactEnrichments = sqliteTable(
  "contact_enrichments",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    field: text("field", { enum: ["emails", "phones"] }).notNull(),
    status: text("status", { enum: ["pending", "finished", "failed", "timeout", "cancelled"] }).notNull(),
    error: text("error", { mode: "json" }).$type<ContactError>(),
    dataFound: text("data_found", { mode: "json" }).$type<ContactFound[]>(),
    globalEnrichmentId: text("global_enrichment_id"),
    creditTransactionId: text("credit_transaction_id"),
    /** The price when the record was created: what is charged on success. */
    credits: integer("credits").notNull(),
    /** Credits a prepaid organization holds for this record until it leaves `pending`. */
    reservedCredits: integer("reserved_credits").notNull().default(0),
    /** Random per settlement: statements batched with it act only if that very settlement moved the record. */
    settleToken: text("settle_token"),
    createdBy: text("created_by"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("contact_enrichments_active_idx")
      .on(t.orgId, t.entityId, t.field)
      .where(sql`status IN ('pending', 'finished')`),
    index("contact_enrichments_entity_idx").on(t.orgId, t.entityId, t.field, t.createdAt),
    index("contact_enrichments_pending_idx").on(t.createdAt).where(sql`status = 'pending'`),
  ],
);
