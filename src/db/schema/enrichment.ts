import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const integrationSettings = sqliteTable(
  "integration_settings",
  {
    orgId: text("org_id").notNull(),
    code: text("code").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** AES-GCM ciphertext of the JSON credentials object; never returned. */
    credentialsEncrypted: text("credentials_encrypted"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.code] })],
);

export const enrichmentGroups = sqliteTable(
  "enrichment_groups",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    integrationCodes: text("integration_codes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("groups_org_slug_idx").on(t.orgId, t.slug), index("groups_org_created_idx").on(t.orgId, t.createdAt)],
);

export const enrichments = sqliteTable(
  "enrichments",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    integrationCode: text("integration_code").notNull(),
    status: text("status", { enum: ["succeeded", "failed", "skipped"] }).notNull(),
    cached: integer("cached", { mode: "boolean" }).notNull(),
    globalEnrichmentId: text("global_enrichment_id"),
    executionTimeMs: integer("execution_time_ms").notNull(),
    costCents: integer("cost_cents").notNull(),
    credits: integer("credits").notNull(),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    error: text("error", { mode: "json" }).$type<Record<string, unknown>>(),
    jobId: text("job_id"),
    /** Set by jobs: one record per (job, entity, integration) however often the task is delivered. */
    taskKey: text("task_key"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("enrichments_org_entity_idx").on(t.orgId, t.entityId, t.createdAt),
    index("enrichments_job_idx").on(t.jobId),
    uniqueIndex("enrichments_task_key_idx").on(t.taskKey),
  ],
);

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
