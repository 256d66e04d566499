import type { AutoTrigger } from "../../../db/schema/auto-enrichment";
import type { EntityType } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { type SqlFragment, sqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";

export interface NewJob {
  /** A fresh id unless the caller needs to know it up front. */
  id?: string;
  orgId: string;
  entityId: string;
  entityType: EntityType;
  trigger: AutoTrigger;
  triggerFields: string[];
  /** null: the configuration's integrations for the entity type. */
  integrationCodes: string[] | null;
  force?: boolean;
  retryOf?: string | null;
  createdByKeyId: string | null;
  now: string;
}

/**
 * Queues a job for an entity, `RETURNING id, coalesced`. An entity has at most one waiting (queued or paused) job: with
 * `merge` a later trigger coalesces into it (its fields merged, `coalesced` counted) and the answer is that job; with
 * `skip` nothing is written and nothing answered. `when` makes the insert conditional (a trigger's configuration).
 */
export function insertJobStatement(db: Db, job: NewJob, onWaiting: "merge" | "skip", when: SqlFragment = sqlFragment("1")): D1PreparedStatement {
  const conflict =
    onWaiting === "merge"
      ? `DO UPDATE SET coalesced = coalesced + 1, updated_at = excluded.updated_at, force = max(force, excluded.force),
           trigger_fields = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(auto_enrichment_jobs.trigger_fields)
                             UNION SELECT value FROM json_each(excluded.trigger_fields)))`
      : "DO NOTHING";
  return rawStatement(
    db,
    `INSERT INTO auto_enrichment_jobs (id, org_id, entity_id, entity_type, trigger, trigger_fields, status, integration_codes, force, retry_of,
       created_by_key_id, dispatched_at, created_at, updated_at)
     SELECT ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ? WHERE ${when.sql}
     ON CONFLICT (org_id, entity_id) WHERE status IN ('queued', 'paused') ${conflict}
     RETURNING id, coalesced`,
    job.id ?? crypto.randomUUID(),
    job.orgId,
    job.entityId,
    job.entityType,
    job.trigger,
    JSON.stringify(job.triggerFields),
    job.integrationCodes ? JSON.stringify(job.integrationCodes) : null,
    job.force ? 1 : 0,
    job.retryOf ?? null,
    job.createdByKeyId,
    job.now,
    job.now,
    job.now,
    ...when.params,
  );
}

/** The jobs a batch of `insertJobStatement`s queued anew (coalesced ones already have their message). */
export function newJobIds(results: D1Result[]): string[] {
  return results.flatMap((r) => ((r.results ?? []) as { id: string; coalesced: number }[]).filter((row) => row.coalesced === 0).map((row) => row.id));
}
