import type { ProviderModel, llmProviderSettings } from "../../../db/schema/llm";
import type { Settings } from "../../../platform/env";
import { decryptSecret } from "../../../platform/lib/crypto";
import type { LlmProvider } from "../../../providers/llm/types";

export type ProviderRow = typeof llmProviderSettings.$inferSelect;

/** The providers Dossier knows by name; any other name an organization gives is an OpenAI-compatible server. */
export const BUILTIN_PROVIDERS = ["openai", "anthropic", "google", "deepseek", "workers-ai"] as const;
export type BuiltinProvider = (typeof BUILTIN_PROVIDERS)[number];

/** A provider name as model keys use it (`<name>::<model>`). */
export const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

export const DEFAULT_MAX_CONCURRENCY = 16;

export const isBuiltin = (name: string): name is BuiltinProvider => (BUILTIN_PROVIDERS as readonly string[]).includes(name);

/** The wire format a provider name speaks. */
export const providerTypeOf = (name: string): LlmProvider => (isBuiltin(name) ? name : "openai_compatible");

/** What the operator's secrets and vars give each built-in provider. */
function operatorDefaults(settings: Settings, name: BuiltinProvider): { apiKey?: string; baseUrl?: string; accountId?: string } {
  switch (name) {
    case "openai":
      return { apiKey: settings.OPENAI_API_KEY, baseUrl: settings.OPENAI_BASE_URL };
    case "anthropic":
      return { apiKey: settings.ANTHROPIC_API_KEY, baseUrl: settings.ANTHROPIC_BASE_URL };
    case "google":
      return { apiKey: settings.GEMINI_API_KEY, baseUrl: settings.GEMINI_BASE_URL };
    case "deepseek":
      return { apiKey: settings.DEEPSEEK_API_KEY, baseUrl: settings.DEEPSEEK_BASE_URL };
    case "workers-ai":
      return { apiKey: settings.CLOUDFLARE_API_TOKEN, baseUrl: settings.WORKERS_AI_BASE_URL, accountId: settings.CLOUDFLARE_ACCOUNT_ID };
  }
}

/** How one provider can be reached for an organization, without its key (see `providerKey`). */
export interface ProviderAccess {
  name: string;
  type: LlmProvider;
  enabled: boolean;
  /** Credentials (and base URL, for OpenAI-compatible servers) are there: its models can run. */
  configured: boolean;
  /** Whose key a call uses: the organization's own, the operator's default, or none. */
  credentialSource: "organization" | "operator" | null;
  baseUrl?: string;
  accountId?: string;
  models: ProviderModel[];
  maxConcurrency: number;
  row?: ProviderRow;
}

/**
 * A provider as an organization sees it: its own settings over the operator's defaults. Built-in providers need a
 * key (workers-ai also an account id); an OpenAI-compatible server needs a base URL (its key is optional). Null for a
 * name that is neither built in nor configured by the organization.
 */
export function providerAccess(settings: Settings, name: string, row: ProviderRow | undefined): ProviderAccess | null {
  if (!isBuiltin(name)) {
    if (!row) return null;
    return {
      name,
      type: "openai_compatible",
      enabled: row.enabled,
      configured: row.baseUrl !== null,
      credentialSource: row.apiKeyEncrypted ? "organization" : null,
      ...(row.baseUrl ? { baseUrl: row.baseUrl } : {}),
      models: row.models,
      maxConcurrency: row.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      row,
    };
  }
  const operator = operatorDefaults(settings, name);
  const own = row?.apiKeyEncrypted ? "organization" : operator.apiKey ? "operator" : null;
  const accountId = row?.accountId ?? operator.accountId;
  const baseUrl = row?.baseUrl ?? operator.baseUrl;
  return {
    name,
    type: name,
    enabled: row?.enabled ?? true,
    configured: own !== null && (name !== "workers-ai" || accountId !== undefined),
    credentialSource: own,
    ...(baseUrl ? { baseUrl } : {}),
    ...(accountId ? { accountId } : {}),
    models: row?.models ?? [],
    maxConcurrency: row?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    ...(row ? { row } : {}),
  };
}

/** The key a call sends: the organization's (unsealed here, at the moment of use) or the operator's. */
export async function providerKey(settings: Settings, access: ProviderAccess): Promise<string | undefined> {
  if (access.credentialSource === "organization" && access.row?.apiKeyEncrypted) return decryptSecret(access.row.apiKeyEncrypted, settings.ENCRYPTION_KEY);
  if (access.credentialSource === "operator" && isBuiltin(access.name)) return operatorDefaults(settings, access.name).apiKey;
  return undefined;
}

/** Every provider an organization can name: the built-in ones, then its own servers, by name. */
export function allProviderAccess(settings: Settings, rows: ProviderRow[]): ProviderAccess[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const names = [...BUILTIN_PROVIDERS, ...rows.map((r) => r.name).filter((n) => !isBuiltin(n)).sort()];
  return names.map((n) => providerAccess(settings, n, byName.get(n))).filter((a): a is ProviderAccess => a !== null);
}
