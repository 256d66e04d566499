import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** What an LLM record is the trace of: one model's answer for an entity, or a step around it. */
export const LLM_RECORD_TYPES = ["enrichment", "fusion", "arbitration", "classification", "schema_generation", "schema_edit"] as const;
export type LlmRecordType = (typeof LLM_RECORD_TYPES)[number];

/** How a schema version came to be. */
export const SCHEMA_CHANGES = ["created", "updated", "generated", "edited"] as const;

/** An organization's entry for one model of a provider: its id, prices (USD per million tokens) and limits. */
export interface ProviderModel {
  model: string;
  displayName?: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok?: number;
  contextLength?: number;
  maxOutputTokens?: number;
  structuredOutput?: boolean;
}

/** `{key: {name, description}}`: the groups a schema's fields are asked in under multi_expertise. */
export type ExpertiseDomains = Record<string, { name: string; description?: string }>;

/**
 * A user's enrichment schema: what to find out about an entity, as a JSON Schema in Dossier's subset. Every change
 * is a new version (`llm_schema_versions`); runs record the version they used. A deleted schema keeps its versions,
 * so its records can still be read and fused.
 */
export const llmSchemas = sqliteTable(
  "llm_schemas",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    entityType: text("entity_type"),
    expertiseDomains: text("expertise_domains", { mode: "json" }).$type<ExpertiseDomains>().notNull(),
    jsonSchema: text("json_schema", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    version: integer("version").notNull(),
    /** `saved` (created or generated), or `inline` (sent with an enrichment request; not listed). */
    origin: text("origin", { enum: ["saved", "inline"] }).notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    deletedAt: text("deleted_at"),
  },
  (t) => [index("llm_schemas_org_created_idx").on(t.orgId, t.createdAt, t.id)],
);

export const llmSchemaVersions = sqliteTable(
  "llm_schema_versions",
  {
    schemaId: text("schema_id").notNull(),
    version: integer("version").notNull(),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    entityType: text("entity_type"),
    expertiseDomains: text("expertise_domains", { mode: "json" }).$type<ExpertiseDomains>().notNull(),
    jsonSchema: text("json_schema", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    change: text("change", { enum: SCHEMA_CHANGES }).notNull(),
    /** The schema_generation or schema_edit record that made this version. */
    recordId: text("record_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.schemaId, t.version] })],
);

/**
 * An organization's settings for one LLM provider, by the name model keys use (`openai`, or a name it gives an
 * OpenAI-compatible server). The API key is sealed (AES-GCM under ENCRYPTION_KEY) and never returned.
 */
export const llmProviderSettings = sqliteTable(
  "llm_provider_settings",
  {
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    /** The wire the provider speaks: a built-in provider, or openai_compatible. */
    type: text("type").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    baseUrl: text("base_url"),
    /** workers-ai: the Cloudflare account id. */
    accountId: text("account_id"),
    apiKeyEncrypted: text("api_key_encrypted"),
    models: text("models", { mode: "json" }).$type<ProviderModel[]>().notNull(),
    maxConcurrency: integer("max_concurrency"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.name] })],
);

/**
 * Every model call, fusion, arbitration, classification, schema generation and edit: its output, what it cost
 * and what was sent and received (never credentials). A job's record is written once per task however often the
 * queue delivers it (`task_key`), which is what makes its charge exactly-once.
 */
export const llmRecords = sqliteTable(
  "llm_records",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    type: text("type", { enum: LLM_RECORD_TYPES }).notNull(),
    jobId: text("job_id"),
    taskKey: text("task_key"),
    entityIndex: integer("entity_index"),
    entityId: text("entity_id"),
    schemaId: text("schema_id"),
    schemaVersion: integer("schema_version"),
    /** `provider::model` (the arbiter for arbitration records; null for a rule-based fusion). */
    model: text("model"),
    strategy: text("strategy"),
    success: integer("success", { mode: "boolean" }).notNull(),
    partialSuccess: integer("partial_success", { mode: "boolean" }).notNull(),
    output: text("output", { mode: "json" }).$type<Record<string, unknown>>(),
    /** Fusion: per field value, status, confidence, method and the answers behind it. */
    fields: text("fields", { mode: "json" }).$type<unknown[]>(),
    conflictReport: text("conflict_report", { mode: "json" }).$type<Record<string, unknown>>(),
    sourceRecordIds: text("source_record_ids", { mode: "json" }).$type<string[]>(),
    /** What else the record's type has: a classification, the expertise breakdown, citations, the schema made. */
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    inputTokens: integer("input_tokens").notNull(),
    cachedInputTokens: integer("cached_input_tokens").notNull(),
    cacheWriteTokens: integer("cache_write_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    reasoningTokens: integer("reasoning_tokens").notNull(),
    usageEstimated: integer("usage_estimated", { mode: "boolean" }).notNull(),
    /** Exact, in pico-USD (1e-12), as decimal text. */
    costPicoUsd: text("cost_pico_usd").notNull(),
    costMicroUsd: integer("cost_micro_usd").notNull(),
    credits: integer("credits").notNull(),
    durationMs: integer("duration_ms").notNull(),
    prompts: text("prompts", { mode: "json" }).$type<unknown[]>().notNull(),
    validationErrors: text("validation_errors", { mode: "json" }).$type<unknown[]>().notNull(),
    error: text("error", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("llm_records_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("llm_records_job_idx").on(t.jobId, t.entityIndex),
    uniqueIndex("llm_records_task_key_idx").on(t.taskKey),
  ],
);
