import { and, desc, eq, lt } from "drizzle-orm";
import { autoEnrichmentConfigVersions, autoEnrichmentConfigs } from "../../../db/schema/auto-enrichment";
import type { Db } from "../../../platform/db/client";
import { prepared, rawStatement, runStatements } from "../../../platform/db/statements";
import { isUniqueViolation } from "../../../platform/db/unique-violation";
import { ApiError } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { validationDetails } from "../../../platform/http/validation-details";
import { nowIso } from "../../../platform/lib/time";
import { auditStatement } from "../../tenancy";
import { checkConfig } from "./check";
import { type AutoConfig, ConfigSchema, defaultConfig } from "./schema";

export interface StoredConfig {
  config: AutoConfig;
  /** 0 until the first save. */
  version: number;
  updatedAt: string | null;
  updatedByKeyId: string | null;
}

export const presentConfig = (stored: StoredConfig) => ({ ...stored.config, version: stored.version, updatedAt: stored.updatedAt, updatedByKeyId: stored.updatedByKeyId });

export async function getConfig(db: Db, orgId: string): Promise<StoredConfig> {
  const [row] = await db.select().from(autoEnrichmentConfigs).where(eq(autoEnrichmentConfigs.orgId, orgId)).limit(1);
  if (!row) return { config: defaultConfig(), version: 0, updatedAt: null, updatedByKeyId: null };
  return { config: ConfigSchema.parse(row.config), version: row.version, updatedAt: row.updatedAt, updatedByKeyId: row.updatedByKeyId };
}

/** The read-only fields a GET answers; a client may send them back unchanged (GET, edit, PUT). `version` is then a precondition. */
const READ_ONLY = ["version", "updatedAt", "updatedByKeyId"] as const;

function withoutReadOnly(body: Record<string, unknown>): { rest: Record<string, unknown>; expectedVersion: unknown } {
  const rest = { ...body };
  const expectedVersion = rest.version;
  for (const key of READ_ONLY) delete rest[key];
  return { rest, expectedVersion };
}

function parseConfig(raw: unknown): AutoConfig {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError("VALIDATION_ERROR", "Invalid auto-enrichment configuration", { details: validationDetails(parsed.error) });
  return parsed.data;
}

/** RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key (so it takes its default again), anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> = target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

/** PUT: the body is the whole configuration (omitted fields take their defaults). */
export async function replaceConfig(db: Db, caller: Caller, body: Record<string, unknown>): Promise<StoredConfig> {
  const { rest, expectedVersion } = withoutReadOnly(body);
  return saveConfig(db, caller, parseConfig(rest), expectedVersion);
}

/** PATCH: a JSON merge patch over the current configuration; the result is validated whole. */
export async function patchConfig(db: Db, caller: Caller, body: Record<string, unknown>): Promise<StoredConfig> {
  const { rest, expectedVersion } = withoutReadOnly(body);
  const current = await getConfig(db, caller.orgId);
  return saveConfig(db, caller, parseConfig(mergePatch(current.config, rest)), expectedVersion, current);
}

/**
 * A new version: the version row (its primary key makes two concurrent saves of the same version collide: one gets 409),
 * the current row, and an audit row with the configuration before and after, in one batch.
 */
async function saveConfig(db: Db, caller: Caller, config: AutoConfig, expectedVersion: unknown, known?: StoredConfig): Promise<StoredConfig> {
  const current = known ?? (await getConfig(db, caller.orgId));
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new ApiError("CONFLICT", `The configuration is at version ${current.version}, not ${String(expectedVersion)}`, {
      details: { version: current.version },
    });
  }
  await checkConfig(db, caller.orgId, config);
  const version = current.version + 1;
  const now = nowIso();
  try {
    await runStatements(db, [
      prepared(db, db.insert(autoEnrichmentConfigVersions).values({ orgId: caller.orgId, version, config, createdAt: now, createdByKeyId: caller.keyId })),
      rawStatement(
        db,
        `INSERT INTO auto_enrichment_configs (org_id, version, config, updated_at, updated_by_key_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id) DO UPDATE SET version = excluded.version, config = excluded.config, updated_at = excluded.updated_at,
           updated_by_key_id = excluded.updated_by_key_id`,
        caller.orgId,
        version,
        JSON.stringify(config),
        now,
        caller.keyId,
      ),
      prepared(
        db,
        auditStatement(db, {
          orgId: caller.orgId,
          actorKeyId: caller.keyId,
          action: "auto_enrichment.config_updated",
          targetType: "auto_enrichment_config",
          targetId: caller.orgId,
          data: { version, before: current.version === 0 ? null : current.config, after: config },
        }),
      ),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError("CONFLICT", "The configuration was changed concurrently; read it again");
    throw error;
  }
  return { config, version, updatedAt: now, updatedByKeyId: caller.keyId };
}

/** Every saved version, newest first. */
export async function listConfigVersions(db: Db, orgId: string, limit: number, before?: number) {
  const rows = await db
    .select()
    .from(autoEnrichmentConfigVersions)
    .where(and(eq(autoEnrichmentConfigVersions.orgId, orgId), before === undefined ? undefined : lt(autoEnrichmentConfigVersions.version, before)))
    .orderBy(desc(autoEnrichmentConfigVersions.version))
    .limit(limit + 1);
  const data = rows.slice(0, limit).map((r) => ({ version: r.version, config: ConfigSchema.parse(r.config), createdAt: r.createdAt, createdByKeyId: r.createdByKeyId }));
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? String(last.version) : null };
}
