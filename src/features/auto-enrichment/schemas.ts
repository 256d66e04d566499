import { z } from "@hono/zod-openapi";
import {
  AUTO_JOB_STATUSES,
  AUTO_TRIGGERS,
  CONFLICT_KINDS,
  CONFLICT_STATUSES,
  RESOLUTION_ACTIONS,
  SKIP_REASONS,
} from "../../db/schema/auto-enrichment";
import { ATTRIBUTE_SOURCES } from "../../db/schema/entities";
import { ENTITY_TYPES } from "../../domain/attributes";
import { pageSchema, paginationQuery } from "../../platform/http/pagination";
import { ConfigSchema } from "./config/schema";
import { CREDIT_GROUPS } from "./reports/credits";

const readOnly = {
  version: z.number().int().min(0).openapi({ description: "Bumped by every save; 0 before the first." }),
  updatedAt: z.string().nullable(),
  updatedByKeyId: z.string().nullable(),
};

export const AutoConfigSchema = ConfigSchema.extend(readOnly).openapi("AutoEnrichmentConfig");

export const AutoConfigInput = ConfigSchema.extend({
  version: readOnly.version.optional().openapi({ description: "When sent, the save is refused (409) unless the configuration is still at this version." }),
  updatedAt: readOnly.updatedAt.optional(),
  updatedByKeyId: readOnly.updatedByKeyId.optional(),
}).openapi("AutoEnrichmentConfigInput");

export const AutoConfigPatch = z
  .record(z.string(), z.unknown())
  .openapi("AutoEnrichmentConfigPatch", {
    description: "A JSON merge patch (RFC 7386) of the configuration: objects merge, `null` resets a field to its default. The result is validated whole.",
    example: { enabled: true, entityTypes: { person: { integrationCodes: ["phone_normalize"] } } },
  });

export const ConfigVersionSchema = z
  .object({ version: z.number().int(), config: ConfigSchema, createdAt: z.string(), createdByKeyId: z.string().nullable() })
  .openapi("AutoEnrichmentConfigVersion");

const ResultError = z.object({
  code: z.string(),
  message: z.string(),
  category: z.string(),
  retryable: z.boolean(),
  statusCode: z.number().int().optional(),
});

export const AutoJobResultSchema = z
  .object({
    integrationCode: z.string(),
    status: z.enum(["succeeded", "failed", "skipped", "no_data"]),
    enrichmentId: z.string().nullable(),
    cached: z.boolean(),
    credits: z.number(),
    costCents: z.number(),
    attempts: z.number().int(),
    executionTime: z.number(),
    error: ResultError.nullable(),
    fieldsEnriched: z.array(z.string()),
    fieldsFilled: z.array(z.string()),
    fieldsUpdated: z.array(z.string()),
    fieldsProposed: z.array(z.string()),
    fieldsSkipped: z.array(z.object({ field: z.string(), reason: z.string() })),
    conflictIds: z.array(z.string()),
  })
  .openapi("AutoEnrichmentJobResult");

export const AutoJobSchema = z
  .object({
    id: z.string(),
    entityId: z.string(),
    entityType: z.enum(ENTITY_TYPES),
    trigger: z.enum(AUTO_TRIGGERS),
    triggerFields: z.array(z.string()),
    status: z.enum(AUTO_JOB_STATUSES),
    skipReason: z.enum(SKIP_REASONS).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    integrationCodes: z.array(z.string()).nullable().openapi({ description: "The integrations it runs instead of the configuration's (a create payload's, a retry's, a manual run's)." }),
    force: z.boolean(),
    coalesced: z.number().int().openapi({ description: "Later triggers absorbed while it waited." }),
    retryOf: z.string().nullable(),
    retriedBy: z.string().nullable(),
    configVersion: z.number().int().nullable(),
    results: z.array(AutoJobResultSchema),
    summary: z.object({
      fieldsFilled: z.number().int(),
      fieldsUpdated: z.number().int(),
      fieldsProposed: z.number().int(),
      fieldsSkipped: z.number().int(),
      conflictsCreated: z.number().int(),
    }),
    creditsCharged: z.number(),
    costCents: z.number(),
    attempts: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    updatedAt: z.string(),
  })
  .openapi("AutoEnrichmentJob");

export const JobListQuery = paginationQuery.extend({
  entityType: z.enum(ENTITY_TYPES).optional(),
  status: z.enum(AUTO_JOB_STATUSES).optional(),
  trigger: z.enum(AUTO_TRIGGERS).optional(),
  entityId: z.string().max(100).optional(),
});

export const ManualRunBody = z
  .strictObject({
    entityIds: z.array(z.string().min(1).max(100)).min(1).max(1000),
    integrationCodes: z.array(z.string().min(1).max(100)).min(1).max(20).optional().openapi({ description: "Instead of the configuration's integrations." }),
    force: z.boolean().optional().openapi({ description: "Run even within the cooldown." }),
  })
  .openapi("AutoEnrichmentManualRun", { example: { entityIds: ["2f1c0b9e-4a57-4d2b-9a8e-0c7d5e3b1a64"], force: true } });

export const ManualRunSchema = z
  .object({
    jobIds: z.array(z.string()),
    jobs: z.array(z.object({ entityId: z.string(), jobId: z.string(), coalesced: z.boolean() })),
  })
  .openapi("AutoEnrichmentJobsRequested");

const ConflictSide = {
  value: z.unknown(),
};

export const ConflictSchema = z
  .object({
    id: z.string(),
    entity: z.object({ id: z.string(), type: z.enum(ENTITY_TYPES), externalId: z.string().nullable(), name: z.string().nullable() }),
    entityId: z.string(),
    entityType: z.enum(ENTITY_TYPES),
    field: z.string().openapi({ description: "The attribute" }),
    enrichedField: z.string(),
    kind: z.enum(CONFLICT_KINDS),
    status: z.enum(CONFLICT_STATUSES),
    current: z.object({
      ...ConflictSide,
      source: z.enum(ATTRIBUTE_SOURCES).nullable(),
      integrationCode: z.string().nullable(),
      confidence: z.number().nullable(),
      setAt: z.string().nullable(),
      setByKeyId: z.string().nullable(),
    }),
    proposed: z.object({ ...ConflictSide, source: z.string(), confidence: z.number(), enrichmentId: z.string() }),
    jobId: z.string(),
    createdByJobId: z.string(),
    occurrences: z.number().int(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    resolution: z
      .object({
        action: z.enum(RESOLUTION_ACTIONS),
        value: z.unknown(),
        note: z.string().nullable(),
        auto: z.boolean(),
        resolvedAt: z.string().nullable(),
        resolvedByKeyId: z.string().nullable(),
      })
      .nullable(),
    createdAt: z.string(),
  })
  .openapi("AutoEnrichmentConflict");

export const ConflictListQuery = paginationQuery.extend({
  status: z.enum(CONFLICT_STATUSES).default("open").openapi({ description: "Default `open`: the review queue." }),
  entityId: z.string().max(100).optional(),
  entityType: z.enum(ENTITY_TYPES).optional(),
  field: z.string().max(110).optional(),
  integrationCode: z.string().max(100).optional(),
  kind: z.enum(CONFLICT_KINDS).optional(),
});

export const ResolveBody = z
  .strictObject({
    action: z.enum(RESOLUTION_ACTIONS).optional().openapi({ description: "Default `accept` (also when the body is left out)." }),
    value: z.unknown().optional().openapi({ description: "`custom` only: the value to write, validated as the attribute's." }),
    note: z.string().max(2000).optional(),
  })
  .openapi("AutoEnrichmentResolve");

export const ResolvedSchema = z
  .object({ conflict: ConflictSchema, applied: z.object({ field: z.string(), value: z.unknown() }).nullable() })
  .openapi("AutoEnrichmentResolved");

export const BulkResolveBody = z
  .strictObject({
    ids: z.array(z.string().min(1).max(100)).min(1).max(500),
    action: z.enum(["accept", "keep", "dismiss"]),
    note: z.string().max(2000).optional(),
  })
  .openapi("AutoEnrichmentBulkResolve", { example: { ids: ["7d9e2c41-0b3a-4f6e-8c15-2a9b4d6e8f10"], action: "accept", note: "Checked against the registry" } });

export const BulkResolvedSchema = z
  .object({
    succeeded: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })),
  })
  .openapi("AutoEnrichmentBulkResolved");

export const PipelineStateSchema = z
  .object({
    status: z.enum(["active", "paused"]),
    paused: z.boolean(),
    pausedAt: z.string().nullable(),
    pausedByKeyId: z.string().nullable(),
    reason: z.string().nullable(),
    resumedAt: z.string().nullable(),
    backlog: z.object({ queued: z.number().int(), running: z.number().int(), paused: z.number().int() }),
    oldestQueuedAt: z.string().nullable(),
  })
  .openapi("AutoEnrichmentPipeline");

export const PauseBody = z.strictObject({ reason: z.string().max(500).optional() }).openapi("AutoEnrichmentPause");

const Window = z.object({
  cap: z.number().nullable(),
  spent: z.number(),
  reserved: z.number(),
  remaining: z.number().nullable(),
  periodKey: z.string(),
  periodStart: z.string(),
  resetsAt: z.string(),
  exhaustedAt: z.string().nullable(),
});

export const BudgetSchema = z.object({ timezone: z.string(), daily: Window, monthly: Window }).openapi("AutoEnrichmentBudget");

export const ReportQuery = z.object({
  from: z.string().max(40).optional().openapi({ description: "ISO 8601, inclusive; default 30 days before `to`." }),
  to: z.string().max(40).optional().openapi({ description: "ISO 8601, exclusive; default now." }),
});

export const CreditsQuery = ReportQuery.extend({ groupBy: z.enum(CREDIT_GROUPS).default("integration") });

export const CreditsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(CREDIT_GROUPS),
    total: z.object({ credits: z.number(), costCents: z.number(), charges: z.number() }),
    budget: BudgetSchema,
    data: z.array(z.object({ key: z.string(), credits: z.number(), costCents: z.number(), charges: z.number() })),
  })
  .openapi("AutoEnrichmentCredits");

const count = z.number();

export const StatsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    pipeline: PipelineStateSchema,
    jobs: z.object({
      total: count,
      byStatus: z.record(z.string(), count),
      byTrigger: z.record(z.string(), count),
      successRate: z.number().nullable(),
      p50DurationMs: z.number().nullable(),
      p95DurationMs: z.number().nullable(),
    }),
    integrations: z.array(
      z.object({ integrationCode: z.string(), runs: count, succeeded: count, failed: count, noData: count, skipped: count, cached: count, credits: count }),
    ),
    fields: z.object({ filled: count, updated: count, proposed: count, skipped: count }),
    conflicts: z.object({ opened: count, open: count, resolved: z.record(z.string(), count) }),
    coverage: z.array(
      z.object({ entityType: z.enum(ENTITY_TYPES), field: z.string(), filled: count, byEnrichment: count, total: count, ratio: z.number().nullable() }),
    ),
    credits: z.object({ spent: count, budget: BudgetSchema }),
  })
  .openapi("AutoEnrichmentStats");

export const JobPage = pageSchema(AutoJobSchema);
export const ConflictPage = pageSchema(ConflictSchema);
export const VersionPage = pageSchema(ConfigVersionSchema);
