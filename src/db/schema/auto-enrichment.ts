import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ENTITY_TYPES } from "../../domain/attributes";
import type { AttributeSource } from "./entities";

/** What started an auto-enrichment job. */
export const AUTO_TRIGGERS = ["created", "updated", "import", "stale", "manual", "retry"] as const;
export type AutoTrigger = (typeof AUTO_TRIGGERS)[number];

export const AUTO_JOB_STATUSES = ["queued", "running", "succeeded", "partial", "failed", "skipped", "paused", "cancelled"] as const;
export type AutoJobStatus = (typeof AUTO_JOB_STATUSES)[number];

/** Why a job ran nothing (and charged nothing). */
export const SKIP_REASONS = [
  "BUDGET_EXHAUSTED",
  "INSUFFICIENT_CREDITS",
  "MISSING_INPUT",
  "COOLDOWN",
  "DISABLED",
  "NO_INTEGRATIONS",
  "ENTITY_DELETED",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const CONFLICT_KINDS = ["customer_value", "review_required", "source_disagreement"] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export const CONFLICT_STATUSES = ["open", "resolved"] as const;
export const RESOLUTION_ACTIONS = ["accept", "keep", "custom", "dismiss"] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

export const BUDGET_PERIODS = ["day", "month"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** One integration's part of a job, as the job answers it. */
export interface AutoJobResult {
  integrationCode: string;
  status: "succeeded" | "failed" | "skipped" | "no_data";
  enrichmentId: string | null;
  cached: boolean;
  credits: number;
  costCents: number;
  attempts: number;
  executionTime: number;
  error: { code: string; message: string; category: string; retryable: boolean; statusCode?: number } | null;
  /** Enriched fields it found. */
  fieldsEnriched: string[];
  /** Attributes written where they were empty, over an earlier enrichment value, proposed for review, or left alone. */
  fieldsFilled: string[];
  fieldsUpdated: string[];
  fieldsProposed: string[];
  fieldsSkipped: { field: string; reason: string }[];
  conflictIds: string[];
}

/** An event as the outbox keeps it (the bus's DomainEvent, with an id derived from the job). */
export interface OutboxEvent {
  id: string;
  type: string;
  orgId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** The organization's auto-enrichment configuration: one row, the current version (`auto_enrichment_config_versions` keeps every one). */
export const autoEnrichmentConfigs = sqliteTable("auto_enrichment_configs", {
  orgId: text("org_id").primaryKey(),
  version: integer("version").notNull(),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  updatedAt: text("updated_at").notNull(),
  updatedByKeyId: text("updated_by_key_id"),
});

export const autoEnrichmentConfigVersions = sqliteTable(
  "auto_enrichment_config_versions",
  {
    orgId: text("org_id").notNull(),
    version: integer("version").notNull(),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: text("created_at").notNull(),
    createdByKeyId: text("created_by_key_id"),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.version] })],
);

/** Paused or not, per organization (no row: running). */
export const autoEnrichmentState = sqliteTable("auto_enrichment_state", {
  orgId: text("org_id").primaryKey(),
  paused: integer("paused", { mode: "boolean" }).notNull(),
  pausedAt: text("paused_at"),
  pausedByKeyId: text("paused_by_key_id"),
  reason: text("reason"),
  resumedAt: text("resumed_at"),
  resumedByKeyId: text("resumed_by_key_id"),
  updatedAt: text("updated_at").notNull(),
});

export const autoEnrichmentJobs = sqliteTable(
  "auto_enrichment_jobs",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    entityType: text("entity_type", { enum: ENTITY_TYPES }).notNull(),
    trigger: text("trigger", { enum: AUTO_TRIGGERS }).notNull(),
    /** The attributes whose change triggered it (merged when later triggers coalesce into it). */
    triggerFields: text("trigger_fields", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", { enum: AUTO_JOB_STATUSES }).notNull(),
    skipReason: text("skip_reason", { enum: SKIP_REASONS }),
    /** The integrations to run instead of the configuration's (an entity's create payload, a retry, a manual run). */
    integrationCodes: text("integration_codes", { mode: "json" }).$type<string[]>(),
    /** A manual run that ignores the cooldown. */
    force: integer("force", { mode: "boolean" }).notNull().default(false),
    /** Later triggers absorbed while it was queued. */
    coalesced: integer("coalesced").notNull().default(0),
    retryOf: text("retry_of"),
    retriedBy: text("retried_by"),
    configVersion: integer("config_version"),
    results: text("results", { mode: "json" }).$type<AutoJobResult[]>().notNull().default(sql`'[]'`),
    /** Why a job failed before any integration ran (e.g. its configuration names an integration deleted since). */
    error: text("error", { mode: "json" }).$type<{ code: string; message: string }>(),
    creditsCharged: integer("credits_charged").notNull().default(0),
    costCents: integer("cost_cents").notNull().default(0),
    fieldsFilled: integer("fields_filled").notNull().default(0),
    fieldsUpdated: integer("fields_updated").notNull().default(0),
    fieldsProposed: integer("fields_proposed").notNull().default(0),
    fieldsSkipped: integer("fields_skipped").notNull().default(0),
    conflictsCreated: integer("conflicts_created").notNull().default(0),
    /** Budget credits held while it runs, and the day / month windows they are held in. */
    budgetReserved: integer("budget_reserved").notNull().default(0),
    budgetDay: text("budget_day"),
    budgetMonth: text("budget_month"),
    /** The prepaid hold on the organization's balance while it runs. */
    prepaidReserved: integer("prepaid_reserved").notNull().default(0),
    /** Set by each claim; the run's writes land only while it is still the job's. */
    runToken: text("run_token"),
    leaseUntil: text("lease_until"),
    attempts: integer("attempts").notNull().default(0),
    /** When its queue message was last sent; queued jobs whose message is old are sent again by the cron. */
    dispatchedAt: text("dispatched_at"),
    /**
     * The events its settlement decided, written in the same batch (an outbox): published after the commit, and again,
     * with the same ids, when `published_at` is still empty (a crash or redelivery in between).
     */
    outbox: text("outbox", { mode: "json" }).$type<OutboxEvent[]>().notNull().default(sql`'[]'`),
    /** When its events were published. */
    publishedAt: text("published_at"),
    createdByKeyId: text("created_by_key_id"),
    createdAt: text("created_at").notNull(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    durationMs: integer("duration_ms"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    /** One waiting job per entity: later triggers coalesce into it. */
    uniqueIndex("auto_jobs_waiting_idx").on(t.orgId, t.entityId).where(sql`status IN ('queued', 'paused')`),
    index("auto_jobs_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("auto_jobs_org_status_idx").on(t.orgId, t.status, t.createdAt),
    index("auto_jobs_entity_idx").on(t.orgId, t.entityId, t.createdAt),
    index("auto_jobs_status_dispatched_idx").on(t.status, t.dispatchedAt),
  ],
);

export const autoEnrichmentConflicts = sqliteTable(
  "auto_enrichment_conflicts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    entityType: text("entity_type", { enum: ENTITY_TYPES }).notNull(),
    /** The attribute. */
    field: text("field").notNull(),
    /** The enriched field the proposal came from. */
    enrichedField: text("enriched_field").notNull(),
    kind: text("kind", { enum: CONFLICT_KINDS }).notNull(),
    status: text("status", { enum: CONFLICT_STATUSES }).notNull(),
    /** The attribute's value (null: empty) and provenance when the conflict was last raised. */
    currentValue: text("current_value", { mode: "json" }).$type<unknown>(),
    currentSource: text("current_source", { mode: "json" }).$type<AttributeSource | null>(),
    proposedValue: text("proposed_value", { mode: "json" }).$type<unknown>().notNull(),
    proposedHash: text("proposed_hash").notNull(),
    proposedSource: text("proposed_source").notNull(),
    proposedConfidence: real("proposed_confidence").notNull(),
    enrichmentId: text("enrichment_id").notNull(),
    /** The job that opened it, and the last one that proposed it again. */
    createdByJobId: text("created_by_job_id").notNull(),
    jobId: text("job_id").notNull(),
    occurrences: integer("occurrences").notNull().default(1),
    firstSeenAt: text("first_seen_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
    resolutionAction: text("resolution_action", { enum: RESOLUTION_ACTIONS }),
    resolutionValue: text("resolution_value", { mode: "json" }).$type<unknown>(),
    resolutionNote: text("resolution_note"),
    /** Accepted by the configuration's autoAccept, not by a person. */
    resolutionAuto: integer("resolution_auto", { mode: "boolean" }).notNull().default(false),
    /** Set by the resolving write; the attribute write and audit row of that resolution land only under it. */
    resolveToken: text("resolve_token"),
    resolvedAt: text("resolved_at"),
    resolvedByKeyId: text("resolved_by_key_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    /** One open conflict per entity, attribute and proposed value: repeats count occurrences. */
    uniqueIndex("auto_conflicts_open_idx").on(t.orgId, t.entityId, t.field, t.proposedHash).where(sql`status = 'open'`),
    index("auto_conflicts_org_status_idx").on(t.orgId, t.status, t.createdAt, t.id),
    index("auto_conflicts_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("auto_conflicts_job_idx").on(t.createdByJobId),
  ],
);

/** Proposals a reviewer chose to `keep` against: the same value from the same source is never proposed again. */
export const autoEnrichmentSuppressions = sqliteTable(
  "auto_enrichment_suppressions",
  {
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    field: text("field").notNull(),
    source: text("source").notNull(),
    valueHash: text("value_hash").notNull(),
    conflictId: text("conflict_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.entityId, t.field, t.source, t.valueHash] })],
);

/** Credits held and spent by auto-enrichment per organization, day and month (in the budget's time zone). */
export const autoEnrichmentBudgetWindows = sqliteTable(
  "auto_enrichment_budget_windows",
  {
    orgId: text("org_id").notNull(),
    period: text("period", { enum: BUDGET_PERIODS }).notNull(),
    /** `YYYY-MM-DD` or `YYYY-MM`, local to the budget's time zone. */
    periodKey: text("period_key").notNull(),
    reserved: integer("reserved").notNull().default(0),
    spent: integer("spent").notNull().default(0),
    /** When a job first could not reserve in this window (`budget_exhausted` fires once per window). */
    exhaustedAt: text("exhausted_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.period, t.periodKey] })],
);
