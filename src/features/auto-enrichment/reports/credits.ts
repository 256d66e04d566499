import type { Db } from "../../../platform/db/client";
import { rawStatement, runStatements } from "../../../platform/db/statements";
import { budgetWindowsQuery, currentWindows, presentBudget } from "../budget/read";
import { localDate } from "../budget/windows";
import { getConfig } from "../config/store";
import type { ReportWindow } from "./window";

export const CREDIT_GROUPS = ["integration", "trigger", "day", "entityType"] as const;
export type CreditGroup = (typeof CREDIT_GROUPS)[number];

/**
 * Auto-enrichment's charges are ledger rows carrying the job's id: they are read from the ledger itself (billing's
 * single truth for money), joined to the job for its trigger and entity type, so every total here adds up to the ledger.
 */
const AUTO_CHARGES = `FROM credit_transactions ct JOIN auto_enrichment_jobs j ON j.id = ct.job_id AND j.org_id = ct.org_id
  WHERE ct.org_id = ? AND ct.type = 'charge' AND ct.created_at >= ? AND ct.created_at < ?`;

const KEY_SQL: Record<Exclude<CreditGroup, "day">, string> = {
  integration: "ct.integration_code",
  trigger: "j.trigger",
  entityType: "j.entity_type",
};

interface Bucket {
  key: string;
  credits: number;
  costCents: number;
  charges: number;
}

export function autoChargesTotal(db: Db, orgId: string, window: ReportWindow): D1PreparedStatement {
  return rawStatement(
    db,
    `SELECT coalesce(-sum(ct.amount), 0) AS credits, coalesce(sum(ct.cost_cents), 0) AS costCents, count(*) AS charges ${AUTO_CHARGES}`,
    orgId,
    window.from,
    window.to,
  );
}

export async function creditReport(db: Db, orgId: string, window: ReportWindow, groupBy: CreditGroup) {
  const { config } = await getConfig(db, orgId);
  const windows = currentWindows(config);
  // Day buckets are local days of the budget's time zone: charges are grouped by minute in SQL and the minutes by day here.
  const key = groupBy === "day" ? "substr(ct.created_at, 1, 16)" : KEY_SQL[groupBy];
  const [grouped, total, budget] = await runStatements(db, [
    rawStatement(
      db,
      `SELECT ${key} AS key, -sum(ct.amount) AS credits, sum(ct.cost_cents) AS costCents, count(*) AS charges ${AUTO_CHARGES} GROUP BY 1 ORDER BY 1`,
      orgId,
      window.from,
      window.to,
    ),
    autoChargesTotal(db, orgId, window),
    budgetWindowsQuery(db, orgId, windows),
  ]);
  const rows = (grouped?.results ?? []) as { key: string | null; credits: number; costCents: number; charges: number }[];
  const buckets = new Map<string, Bucket>();
  for (const r of rows) {
    const k = groupBy === "day" ? localDate(`${r.key}:00.000Z`, config.budget.timezone) : (r.key ?? "unknown");
    const b = buckets.get(k) ?? { key: k, credits: 0, costCents: 0, charges: 0 };
    b.credits += r.credits;
    b.costCents += r.costCents;
    b.charges += r.charges;
    buckets.set(k, b);
  }
  const [sum] = (total?.results ?? []) as { credits: number; costCents: number; charges: number }[];
  return {
    from: window.from,
    to: window.to,
    groupBy,
    total: { credits: sum?.credits ?? 0, costCents: sum?.costCents ?? 0, charges: sum?.charges ?? 0 },
    budget: presentBudget(config, windows, (budget?.results ?? []) as Record<string, unknown>[]),
    data: [...buckets.values()].sort((a, b) => a.key.localeCompare(b.key)),
  };
}
