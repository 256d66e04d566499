import type { BudgetPeriod } from "../../../db/schema/auto-enrichment";
import type { Db } from "../../../platform/db/client";
import { type SqlFragment, sqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement } from "../../../platform/db/statements";
import { canCover, holdAmount, holdStatement, releaseStatement } from "../../billing";
import type { BudgetWindow } from "./windows";

/**
 * A running job's holds: budget credits in the day and month windows (auto-enrichment's own accounting) and, for a
 * prepaid organization, the same credits on its balance (billing's). Reserved before any provider call, settled after:
 * the windows' `spent` grows by what the ledger charged the job, and both holds go back. Every statement is guarded by
 * the job's run token, so a run that lost its claim moves nothing.
 */
export interface RunRef {
  orgId: string;
  jobId: string;
  /** The claim's token. */
  token: string;
}

/** The job is still running under this claim. */
export const stillRunning = (run: RunRef): SqlFragment =>
  sqlFragment("EXISTS (SELECT 1 FROM auto_enrichment_jobs WHERE id = ? AND run_token = ? AND status = 'running')", run.jobId, run.token);

const windowRow = (period: BudgetPeriod) =>
  `(SELECT spent + reserved FROM auto_enrichment_budget_windows WHERE org_id = ? AND period = '${period}' AND period_key = ?)`;

export interface ReserveInput {
  run: RunRef;
  credits: number;
  windows: Record<BudgetPeriod, BudgetWindow>;
  caps: Record<BudgetPeriod, number | null>;
  now: string;
}

/**
 * One batch: the windows' rows, then the decision (a conditional UPDATE of the job that lands only when both windows
 * and the prepaid balance have room; `RETURNING id`), then the holds it decided. D1 runs a batch as one transaction,
 * so concurrent jobs see each other's holds: the caps are never exceeded. The last statement reads the windows back,
 * to tell which one was full.
 */
export function reserveStatements(db: Db, input: ReserveInput): D1PreparedStatement[] {
  const { run, credits, windows, caps, now } = input;
  const held = sqlFragment(
    "EXISTS (SELECT 1 FROM auto_enrichment_jobs WHERE id = ? AND run_token = ? AND budget_reserved = ? AND budget_day = ?)",
    run.jobId,
    run.token,
    credits,
    windows.day.key,
  );
  const cover = canCover(run.orgId, credits);
  const prepaid = holdAmount(run.orgId, credits);
  return [
    rawStatement(
      db,
      `INSERT OR IGNORE INTO auto_enrichment_budget_windows (org_id, period, period_key, reserved, spent, updated_at)
       VALUES (?, 'day', ?, 0, 0, ?), (?, 'month', ?, 0, 0, ?)`,
      run.orgId,
      windows.day.key,
      now,
      run.orgId,
      windows.month.key,
      now,
    ),
    rawStatement(
      db,
      `UPDATE auto_enrichment_jobs SET budget_reserved = ?, budget_day = ?, budget_month = ?, prepaid_reserved = ${prepaid.sql}, updated_at = ?
       WHERE id = ? AND run_token = ? AND status = 'running'
         AND (? IS NULL OR ${windowRow("day")} + ? <= ?)
         AND (? IS NULL OR ${windowRow("month")} + ? <= ?)
         AND ${cover.sql}
       RETURNING id`,
      credits,
      windows.day.key,
      windows.month.key,
      ...prepaid.params,
      now,
      run.jobId,
      run.token,
      caps.day,
      run.orgId,
      windows.day.key,
      credits,
      caps.day,
      caps.month,
      run.orgId,
      windows.month.key,
      credits,
      caps.month,
      ...cover.params,
    ),
    rawStatement(
      db,
      `UPDATE auto_enrichment_budget_windows SET reserved = reserved + ?, updated_at = ?
       WHERE org_id = ? AND ((period = 'day' AND period_key = ?) OR (period = 'month' AND period_key = ?)) AND ${held.sql}`,
      credits,
      now,
      run.orgId,
      windows.day.key,
      windows.month.key,
      ...held.params,
    ),
    holdStatement(db, run.orgId, sqlFragment("(SELECT prepaid_reserved FROM auto_enrichment_jobs WHERE id = ?)", run.jobId), held),
    rawStatement(
      db,
      `SELECT period, spent, reserved FROM auto_enrichment_budget_windows
       WHERE org_id = ? AND ((period = 'day' AND period_key = ?) OR (period = 'month' AND period_key = ?))`,
      run.orgId,
      windows.day.key,
      windows.month.key,
    ),
  ];
}

/** The job's own ledger charges (auto-enrichment charges carry the job's id): what its windows count as spent. */
export const chargedBy = (orgId: string, jobId: string): SqlFragment =>
  sqlFragment("(SELECT coalesce(-sum(amount), 0) FROM credit_transactions WHERE org_id = ? AND job_id = ? AND type = 'charge')", orgId, jobId);

const reservedOf = (jobId: string) => sqlFragment("(SELECT budget_reserved FROM auto_enrichment_jobs WHERE id = ?)", jobId);

/**
 * Gives the holds back, for a batch that runs them BEFORE it changes the job's status: the windows lose the job's hold and
 * (when `spent` is given) gain what it was charged, and the prepaid hold is released. Guarded by `stillRunning`.
 */
export function releaseHoldStatements(db: Db, run: RunRef, now: string, spent?: SqlFragment): D1PreparedStatement[] {
  const guard = stillRunning(run);
  const reserved = reservedOf(run.jobId);
  const add = spent ?? sqlFragment("0");
  return [
    rawStatement(
      db,
      `UPDATE auto_enrichment_budget_windows SET reserved = max(0, reserved - ${reserved.sql}), spent = spent + ${add.sql}, updated_at = ?
       WHERE org_id = ?
         AND ((period = 'day' AND period_key = (SELECT budget_day FROM auto_enrichment_jobs WHERE id = ?))
           OR (period = 'month' AND period_key = (SELECT budget_month FROM auto_enrichment_jobs WHERE id = ?)))
         AND ${guard.sql}`,
      ...reserved.params,
      ...add.params,
      now,
      run.orgId,
      run.jobId,
      run.jobId,
      ...guard.params,
    ),
    releaseStatement(db, run.orgId, sqlFragment("(SELECT prepaid_reserved FROM auto_enrichment_jobs WHERE id = ?)", run.jobId), guard),
  ];
}

/** Marks a window exhausted once: `RETURNING period` answers a row only for the first job that found it full. */
export function exhaustStatement(db: Db, orgId: string, window: BudgetWindow, now: string): D1PreparedStatement {
  return rawStatement(
    db,
    `UPDATE auto_enrichment_budget_windows SET exhausted_at = ?, updated_at = ?
     WHERE org_id = ? AND period = ? AND period_key = ? AND exhausted_at IS NULL RETURNING period`,
    now,
    now,
    orgId,
    window.period,
    window.key,
  );
}
