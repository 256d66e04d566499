import type { Db } from "../../platform/db/client";
import type { Settings } from "../../platform/env";
import { PRICES_AS_OF } from "../../providers/llm/models";
import { type ModelOverride, type ResolvedModel, listModels } from "../../providers/llm/model-catalog";
import { type ProviderAccess, allProviderAccess } from "./providers/provider-access";
import { providerRows } from "./providers/provider-settings";
import { SCHEMA_LIMITS } from "./schema-subset";

/** ISO 639-1 codes a run may ask for (`languages`); the first requested is the primary one. */
export const LANGUAGES: readonly { code: string; name: string }[] = [
  { code: "en", name: "English" },
  { code: "fr", name: "French" },
  { code: "de", name: "German" },
  { code: "es", name: "Spanish" },
  { code: "it", name: "Italian" },
  { code: "pt", name: "Portuguese" },
  { code: "nl", name: "Dutch" },
  { code: "sv", name: "Swedish" },
  { code: "da", name: "Danish" },
  { code: "no", name: "Norwegian" },
  { code: "fi", name: "Finnish" },
  { code: "pl", name: "Polish" },
  { code: "cs", name: "Czech" },
  { code: "ro", name: "Romanian" },
  { code: "el", name: "Greek" },
  { code: "tr", name: "Turkish" },
  { code: "ru", name: "Russian" },
  { code: "uk", name: "Ukrainian" },
  { code: "ar", name: "Arabic" },
  { code: "he", name: "Hebrew" },
  { code: "hi", name: "Hindi" },
  { code: "zh", name: "Chinese" },
  { code: "ja", name: "Japanese" },
  { code: "ko", name: "Korean" },
  { code: "id", name: "Indonesian" },
  { code: "vi", name: "Vietnamese" },
  { code: "th", name: "Thai" },
];

export const STRATEGY_DESCRIPTIONS = [
  { name: "auto", description: "single_pass when the schema's fields fall in one expertise domain or number at most 25, else multi_expertise; the choice and its reason are streamed as strategy_selected" },
  { name: "single_pass", description: "One call per model with the whole schema" },
  { name: "multi_expertise", description: "One call per model and expertise domain, in parallel; identifying fields and the input go to every call, and each model's record merges its domains (a failed domain leaves a partial record)" },
] as const;

export const LIMITS = { maxModels: 5, maxEntitiesPerJob: 1000, maxSchemaDepth: SCHEMA_LIMITS.maxDepth, maxSchemaProperties: SCHEMA_LIMITS.maxProperties };

/** The organization's providers and every model it may name, with prices and whether it can run now. */
export async function modelCatalog(db: Db, settings: Settings, orgId: string): Promise<{ providers: ProviderAccess[]; models: (ResolvedModel & { available: boolean })[] }> {
  const providers = allProviderAccess(settings, await providerRows(db, orgId));
  const overrides: Record<string, ModelOverride[]> = Object.fromEntries(providers.map((p) => [p.name, p.models]));
  const byName = new Map(providers.map((p) => [p.name, p]));
  const models = listModels(overrides).map((m) => {
    const access = byName.get(m.provider);
    return { ...m, available: Boolean(access?.configured && access.enabled) };
  });
  return { providers, models };
}

/** The default models: LLM_DEFAULT_MODEL when this organization can run it, else its first available model. */
export function defaultModels(settings: Settings, models: (ResolvedModel & { available: boolean })[]): string[] {
  const preferred = models.find((m) => m.available && (m.key === settings.LLM_DEFAULT_MODEL || m.aliasOf === settings.LLM_DEFAULT_MODEL));
  const first = preferred ?? models.find((m) => m.available);
  return first ? [first.key] : [];
}

export async function llmOptions(db: Db, settings: Settings, orgId: string) {
  const { models } = await modelCatalog(db, settings, orgId);
  return {
    models: models.map((m) => ({
      key: m.key,
      provider: m.provider,
      model: m.model,
      displayName: m.displayName,
      inputPricePerMTok: m.price.inputPerMTok,
      cachedInputPricePerMTok: m.price.cachedInputPerMTok,
      outputPricePerMTok: m.price.outputPerMTok,
      contextLength: m.contextLength,
      maxOutputTokens: m.maxOutputTokens,
      structuredOutput: m.structured,
      supportsStructuredOutput: m.structured !== "json_mode",
      priceSource: m.source,
      available: m.available,
    })),
    languages: [...LANGUAGES],
    strategies: STRATEGY_DESCRIPTIONS.map((s) => ({ ...s })),
    defaultModels: defaultModels(settings, models),
    creditValueUsd: settings.CREDIT_VALUE_USD,
    pricesAsOf: PRICES_AS_OF,
    limits: LIMITS,
  };
}
