import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { JOB_STATUSES, STRATEGIES } from "../../domain/vocabulary";

/** A CSV row left out of a job: its spreadsheet row number (the header is row 1) and what was wrong with it. */
export interface SkippedRow {
  row: number;
  errors: { column: string | null; path: string; message: string; code: string }[];
}

/**
 * The D1 side of a batch job: what lists and filters need, and the exactly-once release of its reservation.
 * The job's Durable Object is authoritative while it runs and writes its status and counts here.
 */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    status: text("status", { enum: JOB_STATUSES }).notNull(),
    strategy: text("strategy", { enum: STRATEGIES }).notNull(),
    /** The expanded integration codes, in run order. */
    integrationCodes: text("integration_codes", { mode: "json" }).$type<string[]>().notNull(),
    /** The entity types the job holds, for `?entityType=`. */
    entityTypes: text("entity_types", { mode: "json" }).$type<string[]>().notNull(),
    entityCount: integer("entity_count").notNull(),
    /** Entities started and not settled, as of the object's last write (the rest of the counts are as of then too). */
    running: integer("running").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    cancelled: integer("cancelled").notNull().default(0),
    credits: integer("credits").notNull().default(0),
    costCents: integer("cost_cents").notNull().default(0),
    webhookId: text("webhook_id"),
    /** Set on a follow-up job created by `/retry`. */
    parentJobId: text("parent_job_id"),
    reservedCredits: integer("reserved_credits").notNull().default(0),
    /**
     * How much of the reservation has gone back to the organization. Releases name a target, not a delta, and move
     * the balance only by what this column has not yet seen, so repeated or reordered releases change nothing.
     */
    releasedCredits: integer("released_credits").notNull().default(0),
    /** The object's state version last written here; older writes are ignored. */
    version: integer("version").notNull().default(0),
    /** CSV uploads: the rows left out of the job (`onInvalidRow=skip`), with their spreadsheet row numbers and errors. */
    skippedRows: text("skipped_rows", { mode: "json" }).$type<SkippedRow[]>().notNull().default([]),
    createdByKeyId: text("created_by_key_id"),
    createdAt: text("created_at").notNull(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("jobs_org_created_idx").on(t.orgId, t.createdAt, t.id), index("jobs_org_status_idx").on(t.orgId, t.status, t.createdAt)],
);
