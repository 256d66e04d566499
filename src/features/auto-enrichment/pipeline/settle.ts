import type { AutoJobResult, AutoJobStatus, OutboxEvent, SkipReason } from "../../../db/schema/auto-enrichment";
import type { Db } from "../../../platform/db/client";
import { type SqlFragment, sqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";
import { type EnrichmentResult, persistStatements } from "../../enrichment";
import { type EntityRow, attributeWriteStatement, attributesAfter, searchTextStatement } from "../../entities";
import { auditStatementIf } from "../../tenancy";
import { type RunRef, chargedBy, releaseHoldStatements } from "../budget/hold";
import type { AutoJobRow } from "./claim";
import type { ConflictDraft, Decision, PlannedWrite } from "./decide";

const FINAL = "('succeeded', 'partial', 'failed', 'skipped', 'cancelled')";

/** The job was settled by this run (its status is final under this run's token). */
export const settledBy = (run: RunRef): SqlFragment =>
  sqlFragment(`EXISTS (SELECT 1 FROM auto_enrichment_jobs WHERE id = ? AND run_token = ? AND status IN ${FINAL})`, run.jobId, run.token);

/** One record per job and integration, however often the job's message is delivered. */
export const taskKeyOf = (jobId: string, integrationCode: string) => `auto:${jobId}:${integrationCode}`;

/** Record ids derived from the task key, so two runs of one job (a lease that expired) agree on the record. */
export async function enrichmentIdOf(jobId: string, integrationCode: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(taskKeyOf(jobId, integrationCode))));
  const hex = [...digest.slice(0, 16)].map((b, i) => (i === 6 ? (b & 0x0f) | 0x50 : i === 8 ? (b & 0x3f) | 0x80 : b).toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface Finish {
  status: AutoJobStatus;
  skipReason: SkipReason | null;
  error?: { code: string; message: string } | null;
  results: AutoJobResult[];
  counts?: { filled: number; updated: number; proposed: number; skipped: number; conflictsCreated: number };
  configVersion: number | null;
  outbox: OutboxEvent[];
  now: string;
}

/** The job's final row, if this run still holds it (`RETURNING id`); credits and cost come from the ledger itself. */
export function finishStatement(db: Db, run: RunRef, startedAt: string | null, finish: Finish): D1PreparedStatement {
  const charged = chargedBy(run.orgId, run.jobId);
  const counts = finish.counts ?? { filled: 0, updated: 0, proposed: 0, skipped: 0, conflictsCreated: 0 };
  const duration = startedAt ? Math.max(0, Date.parse(finish.now) - Date.parse(startedAt)) : 0;
  return rawStatement(
    db,
    `UPDATE auto_enrichment_jobs SET status = ?, skip_reason = ?, error = ?, results = ?, config_version = ?,
       credits_charged = ${charged.sql},
       cost_cents = (SELECT coalesce(sum(cost_cents), 0) FROM credit_transactions WHERE org_id = ? AND job_id = ? AND type = 'charge'),
       fields_filled = ?, fields_updated = ?, fields_proposed = ?, fields_skipped = ?, conflicts_created = ?,
       budget_reserved = 0, prepaid_reserved = 0, lease_until = NULL, outbox = ?, finished_at = ?, duration_ms = ?, updated_at = ?
     WHERE id = ? AND run_token = ? AND status = 'running'
     RETURNING id`,
    finish.status,
    finish.skipReason,
    finish.error ? JSON.stringify(finish.error) : null,
    JSON.stringify(finish.results),
    finish.configVersion,
    ...charged.params,
    run.orgId,
    run.jobId,
    counts.filled,
    counts.updated,
    counts.proposed,
    counts.skipped,
    counts.conflictsCreated,
    JSON.stringify(finish.outbox),
    finish.now,
    duration,
    finish.now,
    run.jobId,
    run.token,
  );
}

/** A job that ran nothing: its holds go back (none when it never reserved) and it ends with its reason. */
export function skipStatements(db: Db, run: RunRef, job: AutoJobRow, finish: Finish): D1PreparedStatement[] {
  return [...releaseHoldStatements(db, run, finish.now), finishStatement(db, run, job.startedAt, finish)];
}

export interface RanJob {
  run: RunRef;
  job: AutoJobRow;
  entity: EntityRow;
  results: EnrichmentResult[];
  decision: Decision;
  finish: Finish;
}

/**
 * One D1 batch for a job that ran: the enrichment records and their charges (exactly once by task key, whichever run
 * lands them), the enriched fields, the holds settled against what the ledger charged, the job's final row with its
 * outbox, then, only if that row was this run's to write, the attribute writes with their provenance (each a
 * compare-and-set), the search text, the conflicts and the audit row. Answers the statements; `writesAt` and
 * `conflictsAt` index the attribute writes and conflict inserts in it.
 */
export function ranStatements(db: Db, ran: RanJob): { statements: D1PreparedStatement[]; finishAt: number; writesAt: number; conflictsAt: number } {
  const { run, job, entity, decision, finish } = ran;
  const settled = settledBy(run);
  const statements: D1PreparedStatement[] = [
    ...persistStatements(db, {
      orgId: run.orgId,
      entityId: entity.id,
      entityEnriched: entity.enriched,
      results: ran.results,
      actorKeyId: null,
      jobId: run.jobId,
      taskKeyOf: (r) => taskKeyOf(run.jobId, r.integrationCode),
      auditData: { trigger: job.trigger, autoJobId: run.jobId },
    }),
    ...releaseHoldStatements(db, run, finish.now, chargedBy(run.orgId, run.jobId)),
  ];
  const finishAt = statements.length;
  statements.push(finishStatement(db, run, job.startedAt, finish));
  const writesAt = statements.length;
  for (const w of decision.writes) statements.push(attributeWriteStatement(db, plannedWrite(run, entity, w, settled)));
  if (decision.writes.length > 0) {
    statements.push(searchTextStatement(db, entity, attributesAfter(entity.attributes, decision.writes.map((w) => ({ name: w.field, value: w.value }))), settled));
  }
  const conflictsAt = statements.length;
  for (const c of decision.conflicts) statements.push(conflictStatement(db, run, entity, c, settled));
  statements.push(
    auditStatementIf(
      db,
      {
        orgId: run.orgId,
        actorKeyId: null,
        action: "auto_enrichment.job_finished",
        targetType: "entity",
        targetId: entity.id,
        data: {
          jobId: run.jobId,
          trigger: job.trigger,
          status: finish.status,
          attributesWritten: decision.writes.map((w) => ({ field: w.field, before: w.before ?? null, after: w.value, source: w.integrationCode })),
          conflictIds: decision.conflicts.map((c) => c.id),
        },
      },
      settled,
    ),
  );
  return { statements, finishAt, writesAt, conflictsAt };
}

function plannedWrite(run: RunRef, entity: EntityRow, w: PlannedWrite, settled: SqlFragment) {
  return {
    orgId: run.orgId,
    entityId: entity.id,
    name: w.field,
    value: w.value,
    source: w.source,
    expect: w.kind === "fill" ? { value: undefined, replaces: "any" as const } : { value: w.before, replaces: "enrichment" as const },
    onlyIf: settled,
  };
}

/**
 * A conflict: a new open one, or one more occurrence of the same open proposal (the partial unique index), refreshed
 * with the value it stands against now. An auto-accepted one is recorded resolved, and only if its write landed.
 */
function conflictStatement(db: Db, run: RunRef, entity: EntityRow, c: ConflictDraft, settled: SqlFragment): D1PreparedStatement {
  const now = new Date().toISOString();
  const landed = c.autoAccepted
    ? sqlFragment("EXISTS (SELECT 1 FROM entities WHERE id = ? AND json_extract(attribute_sources, ?) = ?)", entity.id, `$."${c.field}".enrichmentId`, c.enrichmentId)
    : sqlFragment("1");
  return rawStatement(
    db,
    `INSERT INTO auto_enrichment_conflicts (id, org_id, entity_id, entity_type, field, enriched_field, kind, status, current_value, current_source,
       proposed_value, proposed_hash, proposed_source, proposed_confidence, enrichment_id, created_by_job_id, job_id, occurrences, first_seen_at,
       last_seen_at, resolution_action, resolution_auto, resolved_at, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ? WHERE ${settled.sql} AND ${landed.sql}
     ON CONFLICT (org_id, entity_id, field, proposed_hash) WHERE status = 'open' DO UPDATE SET
       occurrences = occurrences + 1, last_seen_at = excluded.last_seen_at, job_id = excluded.job_id, kind = excluded.kind,
       current_value = excluded.current_value, current_source = excluded.current_source, proposed_source = excluded.proposed_source,
       proposed_confidence = excluded.proposed_confidence, enrichment_id = excluded.enrichment_id
     RETURNING id, occurrences`,
    c.id,
    run.orgId,
    entity.id,
    entity.type,
    c.field,
    c.enrichedField,
    c.kind,
    c.autoAccepted ? "resolved" : "open",
    JSON.stringify(c.currentValue),
    c.currentSource ? JSON.stringify(c.currentSource) : null,
    JSON.stringify(c.proposedValue),
    c.proposedHash,
    c.proposedSource,
    c.proposedConfidence,
    c.enrichmentId,
    run.jobId,
    run.jobId,
    now,
    now,
    c.autoAccepted ? "accept" : null,
    c.autoAccepted ? 1 : 0,
    c.autoAccepted ? now : null,
    now,
    ...settled.params,
    ...landed.params,
  );
}
