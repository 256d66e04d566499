import type { Db } from "../../../platform/db/client";
import type { Settings } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import { parseModelKey, resolveModel } from "../../../providers/llm/model-catalog";
import { type ProviderAccess, allProviderAccess } from "../providers/provider-access";
import { providerRows } from "../providers/provider-settings";
import type { RunModel } from "./run-spec";

/** What a call may produce when the request says nothing (and the model allows it). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

const invalid = (path: string, message: string, code = "invalid_model") => new ApiError("VALIDATION_ERROR", message, { details: [{ path, message, code }] });

/** Resolves model keys for a new job: aliases, the organization's prices over the built-in table, and access checks. */
export class ModelResolver {
  private constructor(private readonly providers: Map<string, ProviderAccess>) {}

  static async load(db: Db, settings: Settings, orgId: string): Promise<ModelResolver> {
    return new ModelResolver(new Map(allProviderAccess(settings, await providerRows(db, orgId)).map((p) => [p.name, p])));
  }

  /** A `provider::model` key as the job will run it; a 400 at `path` for anything that cannot run. */
  resolve(key: string, path: string, maxOutputTokens?: number): RunModel {
    const parts = parseModelKey(key);
    if (!parts) throw invalid(path, `'${key}' is not a model key (provider::model)`);
    const access = this.providers.get(parts.provider);
    if (!access) throw invalid(path, `No provider named '${parts.provider}': configure an OpenAI-compatible server with PUT /v1/llm/providers/${parts.provider}`, "unknown_provider");
    const model = resolveModel(key, access.models);
    if (!model) throw invalid(path, `Unknown model '${key}': see GET /v1/llm/options, or list it in the provider's models with its prices`, "unknown_model");
    if (!access.configured) throw invalid(path, `The provider '${access.name}' is not configured for this organization (no API key${access.type === "openai_compatible" ? " or base URL" : ""})`, "provider_not_configured");
    if (!access.enabled) throw invalid(path, `The provider '${access.name}' is disabled for this organization`, "provider_disabled");
    const cap = model.maxOutputTokens ?? Number.POSITIVE_INFINITY;
    return {
      key: model.key,
      provider: access.name,
      type: access.type,
      model: model.model,
      price: model.price,
      structured: model.structured,
      maxOutputTokens: Math.min(maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, cap),
    };
  }

  /** The most of one model's calls a job keeps in flight (its provider's maxConcurrency). */
  capOf(modelKey: string): number {
    return this.providers.get(parseModelKey(modelKey)?.provider ?? "")?.maxConcurrency ?? 1;
  }
}
