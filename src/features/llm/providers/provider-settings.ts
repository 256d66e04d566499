import { and, eq } from "drizzle-orm";
import { type ProviderModel, llmProviderSettings } from "../../../db/schema/llm";
import type { Db } from "../../../platform/db/client";
import type { Settings } from "../../../platform/env";
import { ApiError, notFound } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { encryptSecret } from "../../../platform/lib/crypto";
import { OutboundUrlError, assertOutboundUrl } from "../../../platform/lib/outbound-fetch";
import { nowIso } from "../../../platform/lib/time";
import { auditStatement } from "../../tenancy";
import { type ProviderAccess, type ProviderRow, allProviderAccess, isBuiltin, providerAccess, providerTypeOf } from "./provider-access";

export interface ProviderUpdate {
  /** Replaces the sealed key; null removes it. */
  apiKey?: string | null;
  baseUrl?: string | null;
  accountId?: string | null;
  enabled?: boolean;
  models?: ProviderModel[];
  maxConcurrency?: number | null;
}

export const providerRows = (db: Db, orgId: string) => db.select().from(llmProviderSettings).where(eq(llmProviderSettings.orgId, orgId));

export async function listProviders(db: Db, settings: Settings, orgId: string): Promise<ProviderAccess[]> {
  return allProviderAccess(settings, await providerRows(db, orgId));
}

const invalid = (path: string, message: string, code = "invalid") => new ApiError("VALIDATION_ERROR", message, { details: [{ path, message, code }] });

/** The name in the path: a built-in provider, or a name for an OpenAI-compatible server. */
function checkName(name: string) {
  if (!/^[a-z][a-z0-9_-]{0,39}$/.test(name)) {
    throw invalid("provider", "A provider name is lower-case letters, digits, _ and - (at most 40), starting with a letter");
  }
}

/** A base URL is an address Dossier will call: the outbound guard refuses it here, and again on every call. */
function checkBaseUrl(url: string, settings: Settings) {
  try {
    assertOutboundUrl(url, { allowLoopback: settings.ALLOW_LOOPBACK_FETCH });
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    throw invalid("baseUrl", `Refused by the outbound URL guard: ${error.message}`, "outbound_url");
  }
}

/**
 * Creates or changes an organization's settings for one provider (admin), with an audit row in the same batch.
 * An OpenAI-compatible server (any name that is not built in) needs a base URL; the key is sealed and never read
 * back out. Answers the provider as it now is, and whether this created its settings.
 */
export async function saveProvider(db: Db, settings: Settings, caller: Caller, name: string, update: ProviderUpdate) {
  checkName(name);
  if (update.baseUrl) checkBaseUrl(update.baseUrl, settings);
  const [existing] = await db
    .select()
    .from(llmProviderSettings)
    .where(and(eq(llmProviderSettings.orgId, caller.orgId), eq(llmProviderSettings.name, name)))
    .limit(1);
  const baseUrl = update.baseUrl === undefined ? (existing?.baseUrl ?? null) : update.baseUrl;
  if (!isBuiltin(name) && !baseUrl) throw invalid("baseUrl", `${name} is not a built-in provider, so it is an OpenAI-compatible server: it needs a baseUrl`, "required");
  if (update.accountId !== undefined && update.accountId !== null && name !== "workers-ai") throw invalid("accountId", "Only workers-ai takes an accountId");
  const models = update.models ?? existing?.models ?? [];
  const duplicate = models.findIndex((m, i) => models.findIndex((o) => o.model === m.model) !== i);
  if (duplicate >= 0) throw invalid(`models.${duplicate}.model`, "Each model is listed once");
  let apiKeyEncrypted = existing?.apiKeyEncrypted ?? null;
  if (update.apiKey === null) apiKeyEncrypted = null;
  else if (update.apiKey !== undefined) apiKeyEncrypted = await encryptSecret(update.apiKey, settings.ENCRYPTION_KEY);
  const row: ProviderRow = {
    orgId: caller.orgId,
    name,
    type: providerTypeOf(name),
    enabled: update.enabled ?? existing?.enabled ?? true,
    baseUrl,
    accountId: update.accountId === undefined ? (existing?.accountId ?? null) : update.accountId,
    apiKeyEncrypted,
    models,
    maxConcurrency: update.maxConcurrency === undefined ? (existing?.maxConcurrency ?? null) : update.maxConcurrency,
    updatedAt: nowIso(),
  };
  const { orgId: _o, name: _n, ...changes } = row;
  await db.batch([
    db.insert(llmProviderSettings).values(row).onConflictDoUpdate({ target: [llmProviderSettings.orgId, llmProviderSettings.name], set: changes }),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "llm_provider.updated",
      targetType: "llm_provider",
      targetId: name,
      data: { enabled: row.enabled, baseUrl, models: models.map((m) => m.model), apiKeyChanged: update.apiKey !== undefined },
    }),
  ]);
  return { access: providerAccess(settings, name, row) as ProviderAccess, created: !existing };
}

/** Removes the organization's settings for a provider: a built-in one falls back to the operator's defaults. */
export async function deleteProvider(db: Db, caller: Caller, name: string): Promise<void> {
  const where = and(eq(llmProviderSettings.orgId, caller.orgId), eq(llmProviderSettings.name, name));
  const [row] = await db.select({ name: llmProviderSettings.name }).from(llmProviderSettings).where(where).limit(1);
  if (!row) throw notFound("Provider settings");
  await db.batch([
    db.delete(llmProviderSettings).where(where),
    auditStatement(db, { orgId: caller.orgId, actorKeyId: caller.keyId, action: "llm_provider.deleted", targetType: "llm_provider", targetId: name }),
  ]);
}

export function presentProvider(access: ProviderAccess) {
  return {
    provider: access.name,
    type: access.type,
    enabled: access.enabled,
    configured: access.configured,
    credentialSource: access.credentialSource,
    apiKeyConfigured: Boolean(access.row?.apiKeyEncrypted),
    baseUrl: access.row?.baseUrl ?? null,
    accountId: access.accountId ?? null,
    models: access.models,
    maxConcurrency: access.maxConcurrency,
    updatedAt: access.row?.updatedAt ?? null,
  };
}
