import type { ProviderModel } from "../../db/schema/llm";
import { DEFAULT_CHANNEL } from "./client";
import { MODEL_ALIASES, MODELS, type ModelEntry } from "./models";
import { LLM_PROVIDERS, type LlmProvider, type StructuredChannel } from "./types";

/**
 * An organization's entry for one model of one provider (its stored `models` list, `ProviderModel`); it wins over the
 * built-in one. `structuredOutput` may also name the channel itself.
 */
export interface ModelOverride extends Omit<ProviderModel, "structuredOutput"> {
  /** true: the model honours a JSON schema (`json_schema`); false: JSON mode with the schema in the prompt. */
  structuredOutput?: boolean | StructuredChannel;
}

export interface ResolvedModel {
  /** `provider::model` after alias resolution. */
  key: string;
  /** The key as asked for, when it was an alias. */
  aliasOf?: string;
  provider: string;
  model: string;
  displayName: string;
  /** USD per million tokens. */
  price: { inputPerMTok: number; cachedInputPerMTok: number; cacheWritePerMTok: number; outputPerMTok: number };
  contextLength: number | null;
  maxOutputTokens: number | null;
  structured: StructuredChannel;
  source: "builtin" | "override";
}

const KEY = /^([a-z0-9_-]{1,40})::(\S{1,200})$/;

/** `provider::model` → its parts; the model part may itself contain `::`-free slashes and `@` (Workers AI ids). */
export function parseModelKey(key: string): { provider: string; model: string } | null {
  const m = KEY.exec(key.trim());
  return m?.[1] && m[2] ? { provider: m[1], model: m[2] } : null;
}

export const modelKey = (provider: string, model: string) => `${provider}::${model}`;

export const isBuiltinProvider = (p: string): p is LlmProvider => (LLM_PROVIDERS as readonly string[]).includes(p);

const byKey = new Map(MODELS.map((m) => [modelKey(m.provider, m.model), m]));
if (byKey.size !== MODELS.length) throw new Error("Two models in the price table share a key");

/** The real key behind an alias (or the key itself). */
export const resolveAlias = (key: string): string => MODEL_ALIASES[key.trim()] ?? key.trim();

function channelOf(override: ModelOverride, fallback: StructuredChannel): StructuredChannel {
  const s = override.structuredOutput;
  if (s === undefined) return fallback;
  if (typeof s === "string") return s;
  return s ? "json_schema" : "json_mode";
}

function fromEntry(key: string, e: ModelEntry): ResolvedModel {
  return {
    key,
    provider: e.provider,
    model: e.model,
    displayName: e.displayName,
    price: {
      inputPerMTok: e.inputPerMTok,
      cachedInputPerMTok: e.cachedInputPerMTok ?? e.inputPerMTok,
      cacheWritePerMTok: e.cacheWritePerMTok ?? e.inputPerMTok,
      outputPerMTok: e.outputPerMTok,
    },
    contextLength: e.contextLength,
    maxOutputTokens: e.maxOutputTokens,
    structured: e.structured,
    source: "builtin",
  };
}

/**
 * A model key → its model, price and capabilities: aliases resolved, then the organization's override for that
 * provider (`overrides`, matched by model id) over the built-in table. Null when neither knows the model.
 * An override may describe a model the table lacks (an openai_compatible server's model).
 */
export function resolveModel(key: string, overrides: readonly ModelOverride[] = []): ResolvedModel | null {
  const real = resolveAlias(key);
  const parts = parseModelKey(real);
  if (!parts) return null;
  const aliasOf = real === key.trim() ? undefined : key.trim();
  const builtin = byKey.get(real);
  const override = overrides.find((o) => o.model === parts.model);
  if (!override) return builtin ? { ...fromEntry(real, builtin), ...(aliasOf ? { aliasOf } : {}) } : null;
  const base = builtin ? fromEntry(real, builtin) : undefined;
  const fallbackChannel = base?.structured ?? (isBuiltinProvider(parts.provider) ? DEFAULT_CHANNEL[parts.provider] : "json_mode");
  return {
    key: real,
    ...(aliasOf ? { aliasOf } : {}),
    provider: parts.provider,
    model: parts.model,
    displayName: override.displayName ?? base?.displayName ?? parts.model,
    price: {
      inputPerMTok: override.inputPerMTok,
      cachedInputPerMTok: override.cachedInputPerMTok ?? override.inputPerMTok,
      cacheWritePerMTok: override.inputPerMTok,
      outputPerMTok: override.outputPerMTok,
    },
    contextLength: override.contextLength ?? base?.contextLength ?? null,
    maxOutputTokens: override.maxOutputTokens ?? base?.maxOutputTokens ?? null,
    structured: channelOf(override, fallbackChannel),
    source: "override",
  };
}

/** Every built-in model (for `GET /v1/llm/options`), overrides applied, in table order. */
export function listModels(overrides: Partial<Record<string, readonly ModelOverride[]>> = {}): ResolvedModel[] {
  const builtin = MODELS.map((m) => resolveModel(modelKey(m.provider, m.model), overrides[m.provider]));
  const extra = Object.entries(overrides).flatMap(([provider, list]) =>
    (list ?? []).filter((o) => !byKey.has(modelKey(provider, o.model))).map((o) => resolveModel(modelKey(provider, o.model), list)),
  );
  return [...builtin, ...extra].filter((m): m is ResolvedModel => m !== null);
}
