import { autoEnrichmentConfigs, autoEnrichmentJobs } from "../../../db/schema/auto-enrichment";
import { entities } from "../../../db/schema/entities";
import type { Db } from "../../../platform/db/client";
import { decodeRow } from "../../../platform/db/decode-row";
import { rawStatement, runStatements } from "../../../platform/db/statements";
import type { EntityRow } from "../../entities";
import { type AutoConfig, ConfigSchema, defaultConfig } from "../config/schema";

export type AutoJobRow = typeof autoEnrichmentJobs.$inferSelect;

/** How long a claim holds a job before the cron may give it to another run. */
export const LEASE_MS = 5 * 60_000;

/** What a claimed job runs with, all read in the claim's own batch. */
export interface ClaimedJob {
  job: AutoJobRow;
  token: string;
  entity: EntityRow | undefined;
  config: AutoConfig;
  configVersion: number;
  /** When the entity's last run that enriched it finished (for the cooldown). */
  lastRunAt: string | null;
  /** The entity's open conflicts, by `field|proposedHash`. */
  openConflicts: Map<string, string>;
  /** `keep` resolutions: `field|source|valueHash`. */
  suppressed: Set<string>;
}

const rows = (result: D1Result | undefined) => (result?.results ?? []) as Record<string, unknown>[];

/**
 * Claims a queued job (one conditional UPDATE: never two runs of one claim, never while the organization is paused) and
 * reads what it runs with in the same batch. Undefined when the job was not claimable.
 */
export async function claimJob(db: Db, orgId: string, jobId: string, now: number): Promise<ClaimedJob | undefined> {
  const token = crypto.randomUUID();
  const at = new Date(now).toISOString();
  const entityOf = "(SELECT entity_id FROM auto_enrichment_jobs WHERE id = ?)";
  const [claimed, entity, config, last, conflicts, suppressions] = await runStatements(db, [
    rawStatement(
      db,
      `UPDATE auto_enrichment_jobs SET status = 'running', run_token = ?, lease_until = ?, attempts = attempts + 1,
         started_at = coalesce(started_at, ?), updated_at = ?
       WHERE id = ? AND org_id = ? AND status = 'queued'
         AND NOT EXISTS (SELECT 1 FROM auto_enrichment_state WHERE org_id = ? AND paused = 1)
       RETURNING *`,
      token,
      new Date(now + LEASE_MS).toISOString(),
      at,
      at,
      jobId,
      orgId,
      orgId,
    ),
    rawStatement(db, `SELECT * FROM entities WHERE org_id = ? AND id = ${entityOf}`, orgId, jobId),
    rawStatement(db, "SELECT * FROM auto_enrichment_configs WHERE org_id = ?", orgId),
    rawStatement(
      db,
      `SELECT max(finished_at) AS at FROM auto_enrichment_jobs
       WHERE org_id = ? AND entity_id = ${entityOf} AND id <> ? AND status IN ('succeeded', 'partial')`,
      orgId,
      jobId,
      jobId,
    ),
    rawStatement(db, `SELECT id, field, proposed_hash FROM auto_enrichment_conflicts WHERE org_id = ? AND entity_id = ${entityOf} AND status = 'open'`, orgId, jobId),
    rawStatement(db, `SELECT field, source, value_hash FROM auto_enrichment_suppressions WHERE org_id = ? AND entity_id = ${entityOf}`, orgId, jobId),
  ]);
  const [jobRaw] = rows(claimed);
  if (!jobRaw) return undefined;
  const [entityRaw] = rows(entity);
  const [configRaw] = rows(config);
  const configRow = configRaw ? decodeRow(autoEnrichmentConfigs, configRaw) : undefined;
  return {
    job: decodeRow(autoEnrichmentJobs, jobRaw),
    token,
    entity: entityRaw ? decodeRow(entities, entityRaw) : undefined,
    config: configRow ? ConfigSchema.parse(configRow.config) : defaultConfig(),
    configVersion: configRow?.version ?? 0,
    lastRunAt: (rows(last)[0]?.at as string | null | undefined) ?? null,
    openConflicts: new Map(rows(conflicts).map((r) => [`${String(r.field)}|${String(r.proposed_hash)}`, String(r.id)])),
    suppressed: new Set(rows(suppressions).map((r) => `${String(r.field)}|${String(r.source)}|${String(r.value_hash)}`)),
  };
}

/** A job the claim refused: queued while the organization is paused becomes `paused` (resume sends it again). */
export async function parkIfPaused(db: Db, orgId: string, jobId: string, now: string): Promise<AutoJobRow | undefined> {
  const [, read] = await runStatements(db, [
    rawStatement(
      db,
      `UPDATE auto_enrichment_jobs SET status = 'paused', updated_at = ?
       WHERE id = ? AND org_id = ? AND status = 'queued' AND EXISTS (SELECT 1 FROM auto_enrichment_state WHERE org_id = ? AND paused = 1)`,
      now,
      jobId,
      orgId,
      orgId,
    ),
    rawStatement(db, "SELECT * FROM auto_enrichment_jobs WHERE id = ? AND org_id = ?", jobId, orgId),
  ]);
  const [raw] = rows(read);
  return raw ? decodeRow(autoEnrichmentJobs, raw) : undefined;
}
