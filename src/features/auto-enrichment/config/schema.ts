import { z } from "@hono/zod-openapi";
import type { EntityType } from "../../../domain/attributes";
import { STRATEGIES } from "../../../domain/vocabulary";

/** What the pipeline may do with a mapped field: fill it when empty, also replace enrichment's values, always propose, or nothing. */
export const WRITE_POLICIES = ["fillEmpty", "overwrite", "review", "none"] as const;
export type WritePolicy = (typeof WRITE_POLICIES)[number];

const name = z.string().min(1).max(110);
const writePolicy = z.enum(WRITE_POLICIES);

/** The identity attributes whose change re-enriches an entity by default (`triggers.onUpdate.fields`). */
export const KEY_FIELDS = ["email", "companyDomain", "linkedinUrl", "domain", "website", "registrationNumber", "lei"];

const entityTypeConfig = z.strictObject({
  enabled: z.boolean().default(true),
  integrationCodes: z.array(z.string().min(1).max(100)).max(20).default([]).openapi({ description: "Run in this order, after the groups' codes." }),
  enrichmentGroupRefs: z.array(z.string().min(1).max(100)).max(20).default([]).openapi({ description: "Group slugs or ids, expanded as `POST /enrichments` does." }),
  strategy: z.enum(STRATEGIES).default("all").openapi({ description: "`waterfall` stops once the mapped fields are found." }),
  requiredInputs: z
    .array(z.array(name).min(1).max(10))
    .max(20)
    .default([])
    .openapi({ description: "Any-of sets of attributes; when the entity has every attribute of none of them, the job is skipped `MISSING_INPUT`. Empty: no requirement." }),
  fieldMapping: z
    .record(name, name)
    .default({})
    .openapi({ description: "Enriched field → attribute (`custom.<key>` allowed). Only mapped fields are written into attributes or proposed." }),
  writePolicy: z
    .strictObject({ default: writePolicy.default("fillEmpty"), fields: z.record(name, writePolicy).default({}) })
    .prefault({})
    .openapi({ description: "Per attribute: `fillEmpty` | `overwrite` (only over enrichment's values) | `review` (always propose) | `none`. A customer's value is never overwritten." }),
  minConfidence: z.number().min(0).max(1).default(0.6).openapi({ description: "Below it a finding is neither written nor proposed." }),
});

export const ConfigSchema = z.strictObject({
  enabled: z.boolean().default(false).openapi({ description: "Master switch for automatic triggers (off by default)." }),
  entityTypes: z.strictObject({ person: entityTypeConfig.prefault({}), company: entityTypeConfig.prefault({}) }).prefault({}),
  triggers: z
    .strictObject({
      onCreate: z.boolean().default(true),
      onUpdate: z
        .strictObject({ enabled: z.boolean().default(true), fields: z.array(name).max(50).default(KEY_FIELDS) })
        .prefault({})
        .openapi({ description: "Only a change of one of these attributes triggers." }),
      onImport: z.boolean().default(false).openapi({ description: "Batch jobs' inline entities (JSON, CSV) and PUT by externalId." }),
      staleness: z
        .strictObject({
          enabled: z.boolean().default(false),
          refreshAfterDays: z.number().int().min(1).max(365).default(30),
          maxEntitiesPerRun: z.number().int().min(1).max(5000).default(500),
        })
        .prefault({}),
      cooldownHours: z.number().min(0).max(720).default(24).openapi({ description: "No automatic run for an entity within this long of its last one." }),
    })
    .prefault({}),
  budget: z
    .strictObject({
      dailyCredits: z.number().int().min(0).nullable().default(null).openapi({ description: "null: no cap" }),
      monthlyCredits: z.number().int().min(0).nullable().default(null),
      timezone: z.string().min(1).max(64).default("UTC").openapi({ description: "IANA time zone of the day and month windows." }),
    })
    .prefault({}),
  conflicts: z
    .strictObject({
      autoAccept: z
        .strictObject({
          enabled: z.boolean().default(false),
          minConfidence: z.number().min(0).max(1).default(0.9),
          requireNewer: z.boolean().default(true),
        })
        .prefault({})
        .openapi({ description: "Accept a differing finding over an enrichment value (never a customer's) at or above this confidence." }),
    })
    .prefault({}),
});

export type AutoConfig = z.output<typeof ConfigSchema>;
export type EntityTypeConfig = AutoConfig["entityTypes"][EntityType];

export const defaultConfig = (): AutoConfig => ConfigSchema.parse({});

/** An entity type's policy for one attribute. */
export const policyFor = (config: EntityTypeConfig, attribute: string): WritePolicy => config.writePolicy.fields[attribute] ?? config.writePolicy.default;
