import type { Db } from "../../../platform/db/client";
import type { Env, Settings } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { defaultModels, modelCatalog } from "../options";
import { launchOneTaskJob } from "../runs/launch";
import { ModelResolver } from "../runs/resolve-models";
import type { SchemaEditRun, SchemaGenerationRun } from "../runs/run-spec";
import { inferDraft } from "./infer-draft";
import { contentOf, findSchemaVersion, getSchema } from "./schema-store";

const bytesOf = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 1)).byteLength;

async function modelFor(db: Db, settings: Settings, caller: Caller, key: string | undefined) {
  const resolver = await ModelResolver.load(db, settings, caller.orgId);
  const [fallback] = key ? [key] : defaultModels(settings, (await modelCatalog(db, settings, caller.orgId)).models);
  if (!fallback) throw new ApiError("VALIDATION_ERROR", "No model is available to this organization", { details: [{ path: "model", message: "Configure a provider first" }] });
  return { model: resolver.resolve(fallback, "model"), resolver };
}

export interface GenerateRequest {
  samples: Record<string, unknown>[];
  instructions?: string;
  model?: string;
  save?: boolean;
  name?: string;
}

/**
 * `POST /v1/llm/schemas/generate`: a draft inferred from the samples now (samples that describe different things are
 * a 400), then a job whose one call annotates it; the result is validated and, with `save` (default true), saved.
 */
export async function createGenerationJob(env: Env, db: Db, settings: Settings, caller: Caller, request: GenerateRequest) {
  const draft = inferDraft(request.samples);
  if (draft.issues.length > 0) throw new ApiError("VALIDATION_ERROR", "The samples cannot make one schema", { details: draft.issues });
  const { model, resolver } = await modelFor(db, settings, caller, request.model);
  const run: SchemaGenerationRun = {
    mode: "schema_generation",
    model,
    newSchemaId: crypto.randomUUID(),
    samples: request.samples,
    instructions: request.instructions ?? null,
    save: request.save ?? true,
    name: request.name ?? null,
    requestBytes: bytesOf(request.samples) + bytesOf(draft.jsonSchema) * 2 + bytesOf(request.instructions ?? ""),
  };
  const started = await launchOneTaskJob(env, db, settings, caller, run, resolver, { schemaId: run.save ? run.newSchemaId : null });
  return { ...started, model: model.key, schemaId: run.save ? run.newSchemaId : null };
}

/** `POST /v1/llm/schemas/{id}/edit`: a job whose one call lists operations, applied and validated into the next version. */
export async function createEditJob(env: Env, db: Db, settings: Settings, caller: Caller, schemaId: string, request: { instruction: string; model?: string }) {
  await getSchema(db, caller.orgId, schemaId);
  const version = await findSchemaVersion(db, caller.orgId, schemaId);
  if (!version) throw new ApiError("NOT_FOUND", "Schema not found");
  const { model, resolver } = await modelFor(db, settings, caller, request.model);
  const run: SchemaEditRun = {
    mode: "schema_edit",
    model,
    schemaId,
    schemaVersion: version.version,
    instruction: request.instruction,
    requestBytes: bytesOf(contentOf(version)) + bytesOf(request.instruction),
  };
  const started = await launchOneTaskJob(env, db, settings, caller, run, resolver, { schemaId, fromVersion: version.version });
  return { ...started, model: model.key, schemaId, fromVersion: version.version };
}
