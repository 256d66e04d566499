import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

