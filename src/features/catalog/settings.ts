import { and, eq } from "drizzle-orm";
import type { Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import { integrationSettings } from "../../db/schema/catalog";
import type { Settings } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import { decryptSecret, encryptSecret } from "../../platform/lib/crypto";
import { OutboundUrlError, assertOutboundUrl } from "../../platform/lib/outbound-fetch";
import { nowIso } from "../../platform/lib/time";
import type { Integration } from "../../providers/types";
import { auditStatement } from "../tenancy";

export type IntegrationSettingsRow = typeof integrationSettings.$inferSelect;

/** The read behind `settingsByCode`, as a builder that can share a D1 batch with other reads. */
export const settingsRows = (db: Db, orgId: string) => db.select().from(integrationSettings).where(eq(integrationSettings.orgId, orgId));

export const settingsMapOf = (rows: IntegrationSettingsRow[]): Map<string, IntegrationSettingsRow> => new Map(rows.map((r) => [r.code, r]));

export async function settingsByCode(db: Db, orgId: string): Promise<Map<string, IntegrationSettingsRow>> {
  return settingsMapOf(await settingsRows(db, orgId));
}

export const isEnabled = (integration: Integration, row: IntegrationSettingsRow | undefined) =>
  row ? row.enabled : integration.enabledByDefault;

export function hasCredentials(integration: Integration, row: IntegrationSettingsRow | undefined, names: string[] | null) {
  if (integration.credentialNames.length === 0) return true;
  if (!row?.credentialsEncrypted || !names) return false;
  return integration.credentialNames.every((n) => names.includes(n));
}

export async function readCredentials(row: IntegrationSettingsRow | undefined, settings: Settings): Promise<Record<string, string>> {
  if (!row?.credentialsEncrypted) return {};
  return JSON.parse(await decryptSecret(row.credentialsEncrypted, settings.ENCRYPTION_KEY)) as Record<string, string>;
}

/** Credential names are kept readable (in `config.__credentialNames`) so listing never decrypts. */
export const credentialNamesOf = (row: IntegrationSettingsRow | undefined): string[] | null => {
  const names = row?.config.__credentialNames;
  return Array.isArray(names) ? (names as string[]) : null;
};

export const publicConfig = (row: IntegrationSettingsRow | undefined) =>
  Object.fromEntries(Object.entries(row?.config ?? {}).filter(([k]) => !k.startsWith("__")));

/**
 * A config value under a key ending in `Url` (every adapter's `baseUrl`) is an address Dossier will fetch: the outbound
 * guard refuses it here, as it does webhook and custom integration URLs, and again on every fetch.
 */
function checkConfigUrls(config: Record<string, unknown>, settings: Settings) {
  const details = Object.entries(config).flatMap(([key, value]) => {
    if (!/url$/i.test(key) || typeof value !== "string") return [];
    try {
      assertOutboundUrl(value, { allowLoopback: settings.ALLOW_LOOPBACK_FETCH });
      return [];
    } catch (error) {
      if (!(error instanceof OutboundUrlError)) throw error;
      return [{ path: `config.${key}`, message: `Refused by the outbound URL guard: ${error.message}`, code: "outbound_url" }];
    }
  });
  if (details.length > 0) throw new ApiError("VALIDATION_ERROR", "Invalid configuration: an address that may not be fetched", { details });
}

export interface IntegrationUpdate {
  enabled?: boolean;
  config?: Record<string, unknown>;
  /** Replaces the stored credentials; `null` removes them. */
  credentials?: Record<string, string> | null;
}

export async function saveIntegrationSettings(
  db: Db,
  settings: Settings,
  caller: Caller,
  integration: Integration,
  update: IntegrationUpdate,
): Promise<IntegrationSettingsRow> {
  const [existing] = await db
    .select()
    .from(integrationSettings)
    .where(and(eq(integrationSettings.orgId, caller.orgId), eq(integrationSettings.code, integration.code)))
    .limit(1);
  let config = update.config ?? publicConfig(existing);
  if (integration.configSchema && update.config !== undefined) {
    const parsed = integration.configSchema.safeParse(update.config);
    if (!parsed.success) {
      throw new ApiError("VALIDATION_ERROR", `Invalid configuration for ${integration.code}`, {
        details: parsed.error.issues.map((i) => ({ path: ["config", ...i.path.map(String)].join("."), message: i.message })),
      });
    }
    config = parsed.data;
  }
  if (update.config !== undefined) checkConfigUrls(config, settings);
  let credentialsEncrypted = existing?.credentialsEncrypted ?? null;
  let credentialNames = credentialNamesOf(existing) ?? [];
  if (update.credentials === null) {
    credentialsEncrypted = null;
    credentialNames = [];
  } else if (update.credentials) {
    credentialsEncrypted = await encryptSecret(JSON.stringify(update.credentials), settings.ENCRYPTION_KEY);
    credentialNames = Object.keys(update.credentials).sort();
  }
  const row: IntegrationSettingsRow = {
    orgId: caller.orgId,
    code: integration.code,
    enabled: update.enabled ?? existing?.enabled ?? integration.enabledByDefault,
    config: { ...config, __credentialNames: credentialNames },
    credentialsEncrypted,
    updatedAt: nowIso(),
  };
  await db.batch([
    db
      .insert(integrationSettings)
      .values(row)
      .onConflictDoUpdate({
        target: [integrationSettings.orgId, integrationSettings.code],
        set: { enabled: row.enabled, config: row.config, credentialsEncrypted: row.credentialsEncrypted, updatedAt: row.updatedAt },
      }),
    auditStatement(db, {
      orgId: caller.orgId,
      actorKeyId: caller.keyId,
      action: "integration.updated",
      targetType: "integration",
      targetId: integration.code,
      data: {
        enabled: row.enabled,
        configKeys: Object.keys(config),
        credentialNames,
        credentialsChanged: update.credentials !== undefined,
      },
    }),
  ]);
  return row;
}
