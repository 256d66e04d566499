import type { Db } from "../../../platform/db/client";
import { sqlFragment } from "../../../platform/db/sql-fragment";
import { prepared, rawStatement, runStatements } from "../../../platform/db/statements";
import { releaseStatement } from "../../billing";
import { type AuditEntry, auditStatement } from "../../tenancy";
import type { JobSnapshot } from "./types";

export interface RowSync {
  snapshot: JobSnapshot;
  /** The reservation that may go back by now (a target, never a delta). */
  releaseTarget: number;
  audit?: AuditEntry[];
}

/**
 * Writes the object's view of the job to its D1 row, and releases the reservation up to the target, in one batch.
 * The version guard drops a write that an object handler started before a newer one landed; the release moves
 * the organization's hold only by what `released_credits` has not yet seen, so repeats and reorders are harmless.
 */
export async function syncJobRow(db: Db, orgId: string, sync: RowSync): Promise<void> {
  const { snapshot: s, releaseTarget } = sync;
  const statements: D1PreparedStatement[] = [
    releaseStatement(
      db,
      orgId,
      sqlFragment("? - (SELECT released_credits FROM jobs WHERE id = ?)", releaseTarget, s.jobId),
      sqlFragment("(SELECT released_credits FROM jobs WHERE id = ? AND org_id = ?) < ?", s.jobId, orgId, releaseTarget),
    ),
    rawStatement(
      db,
      "UPDATE jobs SET released_credits = ? WHERE id = ? AND org_id = ? AND released_credits < ?",
      releaseTarget,
      s.jobId,
      orgId,
      releaseTarget,
    ),
    rawStatement(
      db,
      `UPDATE jobs SET status = ?, running = ?, succeeded = ?, failed = ?, cancelled = ?, credits = ?, cost_cents = ?, started_at = ?,
         finished_at = ?, updated_at = ?, version = ? WHERE id = ? AND org_id = ? AND version < ?`,
      s.status,
      s.counts.running,
      s.counts.succeeded,
      s.counts.failed,
      s.counts.cancelled,
      s.credits,
      s.costCents,
      s.startedAt,
      s.finishedAt,
      s.updatedAt,
      s.version,
      s.jobId,
      orgId,
      s.version,
    ),
    ...(sync.audit ?? []).map((entry) => prepared(db, auditStatement(db, entry))),
  ];
  await runStatements(db, statements);
}
