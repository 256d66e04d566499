import { z } from "@hono/zod-openapi";
import { freeFormObject } from "../../platform/lib/json-limits";
import { MAX_JOB_ENTITIES } from "./entities";
import { EnrichResponseSchema } from "../enrichment";
import { JOB_STATUSES, STRATEGIES } from "../../domain/vocabulary";
import { ENTITY_TYPES } from "../../domain/attributes";

const JobStatus = z.enum(JOB_STATUSES);
const Strategy = z.enum(STRATEGIES);
const EntityType = z.enum(ENTITY_TYPES);

const InlineEntity = z
  .strictObject({
    type: EntityType,
    externalId: z.string().trim().min(1).max(255).optional().openapi({ description: "Upserts: an existing entity with this id gets these attributes" }),
    attributes: z.record(z.string(), z.unknown()),
  })
  .openapi("JobInlineEntity");

const perEntityTimeoutMs = z.coerce
  .number()
  .int()
  .min(100)
  .max(120_000)
  .openapi({ description: "Time each of an entity's tasks gets from when it starts running, queue wait excluded (default 10000); past it, the task fails with ENRICHMENT_TIMEOUT" });

export const CreateJobBody = z
  .strictObject({
    entities: z
      .array(z.union([z.string().min(1).max(100).openapi({ description: "An entity id" }), InlineEntity]))
      .min(1)
      .max(MAX_JOB_ENTITIES, `A job takes at most ${MAX_JOB_ENTITIES} entities`)
      .openapi({
        description: `Entity ids and/or inline entities, at most ${MAX_JOB_ENTITIES}`,
        example: [
          "5388f1c9-bea8-491f-b2e9-4ff5b6fc08c0",
          { type: "company", externalId: "acct-9", attributes: { name: "Acme", domain: "acme.com" } },
        ],
      }),
    integrationCodes: z.array(z.string().min(1).max(100)).max(50).optional().openapi({ example: ["phone_normalize"] }),
    enrichmentGroupRefs: z.array(z.string().min(1).max(100)).max(20).optional().openapi({ example: ["kyc"] }),
    strategy: Strategy.optional(),
    params: freeFormObject().optional().openapi({ example: { fields: ["phoneE164"] } }),
    forceRefresh: z.boolean().optional(),
    webhookId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "A webhook of this organization subscribed to a job or enrichment event", example: "0c6f7d1e-3b8a-4f5e-9a41-2d7c6b1e8f90" }),
    perEntityTimeoutMs: perEntityTimeoutMs.optional(),
  })
  .openapi("CreateJob");

const csvList = z
  .string()
  .max(2000)
  .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));

/** For `text/csv` bodies, what a JSON body would say goes in the query string. */
export const CreateJobCsvQuery = z.object({
  integrationCodes: csvList.optional().openapi({ description: "CSV bodies: comma-separated integration codes" }),
  enrichmentGroupRefs: csvList.optional().openapi({ description: "CSV bodies: comma-separated group ids or slugs" }),
  strategy: Strategy.optional(),
  type: EntityType.optional().openapi({ description: "CSV bodies: the type of rows without a `type` column" }),
  params: z.string().max(16_384).optional().openapi({ description: "CSV bodies: params as a JSON object" }),
  forceRefresh: z.enum(["true", "false"]).optional(),
  webhookId: z.string().min(1).max(100).optional(),
  perEntityTimeoutMs: perEntityTimeoutMs.optional(),
  onInvalidRow: z.enum(["skip", "reject"]).optional().openapi({
    description:
      "CSV bodies: a row that cannot be an entity is left out and listed in `skippedRows` (`skip`, the default), or refuses the whole file with a 400 listing every such row (`reject`). A file with no valid row is a 400 either way.",
  }),
  columns: z
    .string()
    .max(16_384)
    .optional()
    .openapi({
      description:
        'CSV bodies: a JSON object mapping headers to an attribute, `custom.<name>`, `type`, `externalId`, `entityId` or `ignore`, over the built-in mapping (README, "CSV columns"); e.g. {"Mobile":"phone","Notes":"custom.notes","Owner":"ignore"}',
      example: '{"Notes":"custom.notes"}',
    }),
});

export const SkippedRowSchema = z
  .object({
    row: z.number().int().openapi({ description: "The row number a spreadsheet shows: the header is row 1, the first data row is row 2", example: 3 }),
    errors: z
      .array(
        z.object({
          column: z.string().nullable().openapi({ description: "The CSV column as its header names it, when the problem is one cell", example: "E-mail" }),
          path: z.string().openapi({ description: "What it maps to (`email`, `custom.city`, `type`, `entityId` …)", example: "email" }),
          message: z.string().openapi({ example: "Must be an email address" }),
          code: z.string().openapi({ example: "invalid_format" }),
        }),
      )
      .openapi({ description: "At most 10 per row" }),
  })
  .openapi("SkippedRow");

export const JobCreatedSchema = z
  .object({
    jobId: z.string(),
    status: z.literal("processing"),
    createdAt: z.string(),
    webhookId: z.string().nullable(),
    entityCount: z.number().int(),
    parentJobId: z.string().nullable(),
    columns: z
      .record(z.string(), z.string())
      .nullable()
      .openapi({
        description:
          "CSV bodies: each header and what it was read as (an attribute, `type`, `externalId`, `entityId`, or `ignore`; in a file of both types, `fullName (company: name)` where a header means another attribute for companies); null for JSON bodies",
        example: { "First Name": "firstName", "E-mail": "email", Notes: "ignore" },
      }),
    unmappedColumns: z
      .array(z.string())
      .openapi({ description: "CSV bodies: headers that name no attribute and were not mapped with `columns`; their cells were ignored" }),
    skippedRows: z
      .array(SkippedRowSchema)
      .openapi({ description: "CSV bodies with onInvalidRow=skip (the default): the rows left out of the job, each with what was wrong" }),
  })
  .openapi("JobCreated");

export const JobSchema = z
  .object({
    id: z.string(),
    status: JobStatus,
    strategy: Strategy,
    integrationCodes: z.array(z.string()),
    entityTypes: z.array(z.string()),
    entityCount: z.number().int(),
    counts: z
      .object({
        total: z.number().int().openapi({ description: "The job's entities" }),
        queued: z.number().int().openapi({ description: "Not started yet" }),
        running: z.number().int().openapi({ description: "Started (a task is running or done) and not settled" }),
        succeeded: z.number().int().openapi({ description: "Settled with at least one successful result" }),
        failed: z.number().int().openapi({ description: "Settled with no successful result" }),
        cancelled: z.number().int().openapi({ description: "Never started because the job was cancelled" }),
      })
      .openapi({
        description:
          "Entities by state, disjoint: queued + running + succeeded + failed + cancelled = total at every moment, so a progress bar may sum them. " +
          "The object running the job is the source (GET /v1/jobs/{id} and the event stream); GET /v1/jobs shows them as of its last write.",
      }),
    skippedRowCount: z.number().int().openapi({ description: "CSV rows left out of the job (onInvalidRow=skip); not among its entities" }),
    credits: z.number().int().openapi({ description: "Charged so far" }),
    costCents: z.number(),
    reservedCredits: z.number().int().openapi({ description: "Held at creation (prepaid); released as the job ends" }),
    webhookId: z.string().nullable(),
    parentJobId: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
    durationMs: z.number().nullable(),
  })
  .openapi("Job");

export const JobDetailSchema = JobSchema.extend({
  skippedRows: z.array(SkippedRowSchema).openapi({ description: "The CSV rows left out of the job, as the create answer listed them" }),
}).openapi("JobDetail");

export const JobListQuery = z.object({
  status: JobStatus.optional(),
  entityType: EntityType.optional(),
});

export const EntityStatus = z.enum(["pending", "running", "succeeded", "failed", "cancelled"]);

export const JobResultSchema = EnrichResponseSchema.extend({
  entityIndex: z.number().int(),
  externalId: z.string().nullable(),
  status: EntityStatus,
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
}).openapi("JobEntityResult");

export const JobEventsQuery = z.object({
  heartbeat: z.coerce.number().int().min(1).max(60).optional().openapi({ description: "Seconds between `: ping` comments (default 15)" }),
  lastEventId: z.string().max(20).optional().openapi({ description: "For clients that cannot send the Last-Event-ID header" }),
});
