import type { BudgetPeriod } from "../../../db/schema/auto-enrichment";
import type { Db } from "../../../platform/db/client";
import { rawStatement } from "../../../platform/db/statements";
import type { AutoConfig } from "../config/schema";
import { type BudgetWindow, windowsAt } from "./windows";

/** The statement reading the current day and month windows (answer them with `presentBudget`). */
export function budgetWindowsQuery(db: Db, orgId: string, windows: Record<BudgetPeriod, BudgetWindow>): D1PreparedStatement {
  return rawStatement(
    db,
    `SELECT period, spent, reserved, exhausted_at FROM auto_enrichment_budget_windows
     WHERE org_id = ? AND ((period = 'day' AND period_key = ?) OR (period = 'month' AND period_key = ?))`,
    orgId,
    windows.day.key,
    windows.month.key,
  );
}

export const currentWindows = (config: AutoConfig, now = Date.now()) => windowsAt(now, config.budget.timezone);

/** Each window: its cap (null: none), what was spent and is held, what remains, when it started and resets. */
export function presentBudget(config: AutoConfig, windows: Record<BudgetPeriod, BudgetWindow>, rows: Record<string, unknown>[]) {
  const one = (period: BudgetPeriod, cap: number | null) => {
    const row = rows.find((r) => r.period === period);
    const spent = Number(row?.spent ?? 0);
    const reserved = Number(row?.reserved ?? 0);
    return {
      cap,
      spent,
      reserved,
      remaining: cap === null ? null : Math.max(0, cap - spent - reserved),
      periodKey: windows[period].key,
      periodStart: windows[period].start,
      resetsAt: windows[period].resetsAt,
      exhaustedAt: typeof row?.exhausted_at === "string" ? row.exhausted_at : null,
    };
  };
  return { timezone: config.budget.timezone, daily: one("day", config.budget.dailyCredits), monthly: one("month", config.budget.monthlyCredits) };
}
