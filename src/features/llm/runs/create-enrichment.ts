import type { ExpertiseDomains } from "../../../db/schema/llm";
import type { Db } from "../../../platform/db/client";
import type { Env, Settings } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { maxChargeOf, planRun } from "../../enrichment";
import { type Strategy, chooseStrategy, splitByExpertise } from "../expertise-split";
import { expandLanguages } from "../multilingual";
import { LANGUAGES, defaultModels, modelCatalog } from "../options";
import { assertValidSchema, createSchemaStatements, findSchemaVersion, getSchema, type SchemaContent } from "../schemas/schema-store";
import { laneCaps } from "./llm-kind";
import { DEFAULT_TASK_TIMEOUT_MS, checkRunWebhook, launchLlmJob } from "./launch";
import { ModelResolver } from "./resolve-models";
import { type RunEntityInput, prepareRunEntities } from "./run-entities";
import type { EnrichmentRun, MismatchPolicy } from "./run-spec";

export const DEFAULT_CLASSIFICATION_TIMEOUT_SECONDS = 300;
export const MAX_MODELS = 5;

export interface EnrichmentRequest {
  entities: RunEntityInput[];
  schemaId?: string;
  schema?: { name?: string; description?: string | null; entityType?: string | null; expertiseDomains?: ExpertiseDomains; jsonSchema: Record<string, unknown> };
  schemaVersion?: number;
  models?: string[];
  strategy?: "auto" | Strategy;
  arbitrationModel?: string;
  classificationModel?: string;
  onClassificationMismatch?: MismatchPolicy;
  classificationTimeoutSeconds?: number;
  languages?: string[];
  grounding?: { integrationCodes: string[] };
  saveToEntity?: boolean;
  webhookId?: string;
  maxOutputTokens?: number;
  taskTimeoutMs?: number;
}

const invalid = (path: string, message: string) => new ApiError("VALIDATION_ERROR", message, { details: [{ path, message }] });

const bytesOf = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).byteLength;

/** The schema a run uses: a saved one (a version of it), or one sent inline (validated, then saved hidden with the job). */
async function runSchema(db: Db, caller: Caller, request: EnrichmentRequest): Promise<{ id: string; version: number; content: SchemaContent; inline: boolean }> {
  if ((request.schemaId === undefined) === (request.schema === undefined)) throw invalid("schemaId", "Send either schemaId or schema");
  if (request.schemaId !== undefined) {
    await getSchema(db, caller.orgId, request.schemaId);
    const version = await findSchemaVersion(db, caller.orgId, request.schemaId, request.schemaVersion);
    if (!version) throw invalid("schemaVersion", `The schema has no version ${request.schemaVersion}`);
    return { id: version.schemaId, version: version.version, content: version, inline: false };
  }
  const schema = request.schema as NonNullable<EnrichmentRequest["schema"]>;
  const content: SchemaContent = {
    name: schema.name ?? "Inline schema",
    description: schema.description ?? null,
    entityType: schema.entityType ?? null,
    expertiseDomains: schema.expertiseDomains ?? {},
    jsonSchema: schema.jsonSchema,
  };
  assertValidSchema(content, "schema");
  return { id: crypto.randomUUID(), version: 1, content, inline: true };
}

/** The grounding integrations, checked as any enrichment's are (errors at `grounding.…`). */
async function groundingOf(db: Db, orgId: string, request: EnrichmentRequest) {
  if (!request.grounding) return null;
  try {
    const plan = await planRun(db, orgId, { integrationCodes: request.grounding.integrationCodes });
    return { integrationCodes: plan.integrations.map((i) => i.code), maxCharge: maxChargeOf(plan), cap: Math.min(...plan.integrations.map((i) => i.maxConcurrency)) };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const details = Array.isArray(error.details) ? error.details.map((d: { path?: string }) => ({ ...d, path: `grounding.${d.path ?? "integrationCodes"}` })) : error.details;
    throw new ApiError(error.code, error.message, { details });
  }
}

/**
 * `POST /v1/llm/enrichments`: everything that can refuse the run is checked before anything is written (schema,
 * models and their providers, languages, grounding integrations, entities, webhook: 400/422), then the job holds
 * the most it could cost (402) and starts.
 */
export async function createEnrichmentRun(env: Env, db: Db, settings: Settings, caller: Caller, request: EnrichmentRequest) {
  const schema = await runSchema(db, caller, request);
  const resolver = await ModelResolver.load(db, settings, caller.orgId);
  const keys = request.models?.length ? request.models : defaultModels(settings, (await modelCatalog(db, settings, caller.orgId)).models);
  if (keys.length === 0) throw invalid("models", "No model is available to this organization: configure a provider (PUT /v1/llm/providers/{provider})");
  const models = keys.map((key, i) => resolver.resolve(key, `models.${i}`, request.maxOutputTokens));
  const duplicate = models.findIndex((m, i) => models.findIndex((o) => o.key === m.key) !== i);
  if (duplicate >= 0) throw invalid(`models.${duplicate}`, "Each model is listed once");
  const languages = request.languages ?? [];
  languages.forEach((code, i) => {
    if (!LANGUAGES.some((l) => l.code === code)) throw invalid(`languages.${i}`, `Unknown language '${code}' (ISO 639-1; see GET /v1/llm/options)`);
  });
  if (new Set(languages).size !== languages.length) throw invalid("languages", "Each language is listed once");
  if (request.classificationModel && !schema.content.entityType) throw invalid("classificationModel", "Classification checks the schema's entityType, and this schema has none");
  const classification = request.classificationModel
    ? {
        model: resolver.resolve(request.classificationModel, "classificationModel", request.maxOutputTokens),
        onMismatch: request.onClassificationMismatch ?? ("pause" as const),
        timeoutSeconds: request.classificationTimeoutSeconds ?? DEFAULT_CLASSIFICATION_TIMEOUT_SECONDS,
      }
    : null;
  const arbitration = request.arbitrationModel ? resolver.resolve(request.arbitrationModel, "arbitrationModel", request.maxOutputTokens) : null;
  const grounding = await groundingOf(db, caller.orgId, request);
  const webhookId = request.webhookId ? await checkRunWebhook(db, caller.orgId, request.webhookId) : null;
  const entities = await prepareRunEntities(db, caller.orgId, request.entities);
  if (grounding && !entities.stored.some(Boolean)) throw invalid("grounding", "Grounding runs integrations on the organization's entities; these are all free-form objects");

  const expanded = expandLanguages(schema.content.jsonSchema, languages);
  const choice = chooseStrategy(request.strategy ?? "auto", expanded, schema.content.expertiseDomains);
  const run: EnrichmentRun = {
    mode: "enrichment",
    schemaId: schema.id,
    schemaVersion: schema.version,
    entityType: schema.content.entityType,
    choice,
    models,
    domains: splitByExpertise(expanded, schema.content.expertiseDomains).map((p) => ({ key: p.key, name: p.name, schemaBytes: bytesOf(p.jsonSchema) })),
    schemaBytes: bytesOf(expanded),
    classification,
    arbitration,
    languages,
    grounding: grounding ? { integrationCodes: grounding.integrationCodes, maxCharge: grounding.maxCharge } : null,
    saveToEntity: request.saveToEntity ?? false,
  };
  const started = await launchLlmJob(env, db, settings, caller, {
    run,
    entityCount: entities.count,
    payloads: entities.payloads,
    stored: entities.stored,
    entities: (jobId) => entities.write(caller, jobId, env),
    laneCaps: laneCaps(run, (key) => resolver.capOf(key), grounding?.cap ?? 1),
    webhookId,
    taskTimeoutMs: request.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS,
    details: { mode: "enrichment", schemaId: schema.id, schemaVersion: schema.version, models: models.map((m) => m.key), strategy: choice.strategy, arbitrationModel: arbitration?.key ?? null, classificationModel: classification?.model.key ?? null },
    extra: schema.inline ? [...createSchemaStatements(db, { id: schema.id, orgId: caller.orgId, actorKeyId: caller.keyId, content: schema.content, origin: "inline", change: "created" })] : [],
  });
  return { ...started, models: models.map((m) => m.key), strategy: choice.strategy, strategyReason: choice.reason, schemaId: schema.id, schemaVersion: schema.version };
}
