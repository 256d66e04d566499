import { ENTITY_TYPES } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { rawStatement, runStatements } from "../../../platform/db/statements";
import { attributePath } from "../../entities";
import { budgetWindowsQuery, currentWindows, presentBudget } from "../budget/read";
import { getConfig } from "../config/store";
import { presentState } from "../state";
import { autoChargesTotal } from "./credits";
import type { ReportWindow } from "./window";

type Row = Record<string, unknown>;
const rowsOf = (r: D1Result | undefined) => (r?.results ?? []) as Row[];
const num = (v: unknown) => Number(v ?? 0);

/** Jobs that ran integrations and finished: the ones durations and success rate are about. */
const RAN = "('succeeded', 'partial', 'failed')";

/**
 * `GET /v1/auto-enrichment/stats`: the pipeline's state and backlog; over the window, jobs by status and trigger, the
 * success rate, p50/p95 duration, per-integration runs / successes / no-data / cache hits / credits, fields filled /
 * updated / proposed / skipped, conflicts opened / open / resolved by action; and, as of now, coverage per mapped
 * attribute (share of the type's entities with it filled, and how many by enrichment). Two D1 round trips.
 */
export async function statsReport(db: Db, orgId: string, window: ReportWindow) {
  const { config } = await getConfig(db, orgId);
  const windows = currentWindows(config);
  const jobsIn = "FROM auto_enrichment_jobs WHERE org_id = ? AND created_at >= ? AND created_at < ?";
  const w = [orgId, window.from, window.to];
  const coverageTargets = ENTITY_TYPES.map((type) => ({ type, fields: [...new Set(Object.values(config.entityTypes[type].fieldMapping))] }));
  const coverageQueries = coverageTargets.map(({ type, fields }) =>
    rawStatement(
      db,
      `SELECT count(*) AS total${fields
        .map((_, i) => `, sum(json_extract(attributes, ?${i * 2 + 1}) IS NOT NULL) AS f${i}, sum(json_extract(attribute_sources, ?${i * 2 + 2}) = 'enrichment') AS e${i}`)
        .join("")} FROM entities WHERE org_id = ?${fields.length * 2 + 1} AND type = ?${fields.length * 2 + 2}`,
      ...fields.flatMap((f) => [attributePath(f), `$."${f}".source`]),
      orgId,
      type,
    ),
  );
  const answers = await runStatements(db, [
    rawStatement(db, "SELECT * FROM auto_enrichment_state WHERE org_id = ?", orgId),
    rawStatement(db, "SELECT status, count(*) AS n, min(created_at) AS oldest FROM auto_enrichment_jobs WHERE org_id = ? AND status IN ('queued', 'running', 'paused') GROUP BY status", orgId),
    rawStatement(db, `SELECT status, trigger, count(*) AS n ${jobsIn} GROUP BY status, trigger`, ...w),
    rawStatement(db, `SELECT count(*) AS n ${jobsIn} AND status IN ${RAN} AND duration_ms IS NOT NULL`, ...w),
    rawStatement(
      db,
      `SELECT json_extract(r.value, '$.integrationCode') AS code, count(*) AS runs,
         sum(json_extract(r.value, '$.status') = 'succeeded') AS succeeded, sum(json_extract(r.value, '$.status') = 'failed') AS failed,
         sum(json_extract(r.value, '$.status') = 'no_data') AS noData, sum(json_extract(r.value, '$.status') = 'skipped') AS skipped,
         sum(json_extract(r.value, '$.cached') = 1 AND json_extract(r.value, '$.status') = 'succeeded') AS cached,
         sum(json_extract(r.value, '$.credits')) AS credits
       FROM auto_enrichment_jobs j, json_each(j.results) r WHERE j.org_id = ? AND j.created_at >= ? AND j.created_at < ?
       GROUP BY 1 ORDER BY 1`,
      ...w,
    ),
    rawStatement(
      db,
      `SELECT coalesce(sum(fields_filled), 0) AS filled, coalesce(sum(fields_updated), 0) AS updated, coalesce(sum(fields_proposed), 0) AS proposed,
         coalesce(sum(fields_skipped), 0) AS skipped ${jobsIn}`,
      ...w,
    ),
    rawStatement(
      db,
      `SELECT
         (SELECT count(*) FROM auto_enrichment_conflicts WHERE org_id = ?1 AND created_at >= ?2 AND created_at < ?3 AND resolution_auto = 0) AS opened,
         (SELECT count(*) FROM auto_enrichment_conflicts WHERE org_id = ?1 AND status = 'open') AS open`,
      ...w,
    ),
    rawStatement(
      db,
      `SELECT CASE WHEN resolution_auto = 1 THEN 'auto' ELSE resolution_action END AS action, count(*) AS n FROM auto_enrichment_conflicts
       WHERE org_id = ? AND status = 'resolved' AND resolved_at >= ? AND resolved_at < ? GROUP BY 1`,
      ...w,
    ),
    autoChargesTotal(db, orgId, window),
    budgetWindowsQuery(db, orgId, windows),
    ...coverageQueries,
  ]);
  const [state, backlog, byStatusTrigger, durationCount, integrations, fields, conflictCounts, resolved, charges, budget, ...coverage] = answers;

  const ranCount = num(rowsOf(durationCount)[0]?.n);
  const percentile = (p: number) => Math.min(ranCount - 1, Math.max(0, Math.ceil(p * ranCount) - 1));
  const [p50, p95] =
    ranCount === 0
      ? [null, null]
      : (
          await runStatements(
            db,
            [0.5, 0.95].map((p) =>
              rawStatement(db, `SELECT duration_ms AS d ${jobsIn} AND status IN ${RAN} AND duration_ms IS NOT NULL ORDER BY duration_ms LIMIT 1 OFFSET ?`, ...w, percentile(p)),
            ),
          )
        ).map((r) => num(rowsOf(r)[0]?.d));

  const byStatus: Record<string, number> = {};
  const byTrigger: Record<string, number> = {};
  let total = 0;
  for (const r of rowsOf(byStatusTrigger)) {
    const n = num(r.n);
    total += n;
    byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + n;
    byTrigger[String(r.trigger)] = (byTrigger[String(r.trigger)] ?? 0) + n;
  }
  const succeeded = (byStatus.succeeded ?? 0) + (byStatus.partial ?? 0);
  const ran = succeeded + (byStatus.failed ?? 0);
  const f = rowsOf(fields)[0] ?? {};
  const c = rowsOf(conflictCounts)[0] ?? {};
  return {
    from: window.from,
    to: window.to,
    pipeline: presentState(rowsOf(state)[0], rowsOf(backlog)),
    jobs: { total, byStatus, byTrigger, successRate: ran === 0 ? null : succeeded / ran, p50DurationMs: p50, p95DurationMs: p95 },
    integrations: rowsOf(integrations).map((r) => ({
      integrationCode: String(r.code),
      runs: num(r.runs),
      succeeded: num(r.succeeded),
      failed: num(r.failed),
      noData: num(r.noData),
      skipped: num(r.skipped),
      cached: num(r.cached),
      credits: num(r.credits),
    })),
    fields: { filled: num(f.filled), updated: num(f.updated), proposed: num(f.proposed), skipped: num(f.skipped) },
    conflicts: {
      opened: num(c.opened),
      open: num(c.open),
      resolved: Object.fromEntries(["accept", "keep", "custom", "dismiss", "auto"].map((a) => [a, num(rowsOf(resolved).find((r) => r.action === a)?.n)])),
    },
    coverage: coverageTargets.flatMap(({ type, fields: names }, t) => {
      const row = rowsOf(coverage[t])[0] ?? {};
      const totalOfType = num(row.total);
      return names.map((field, i) => ({
        entityType: type,
        field,
        filled: num(row[`f${i}`]),
        byEnrichment: num(row[`e${i}`]),
        total: totalOfType,
        ratio: totalOfType === 0 ? null : num(row[`f${i}`]) / totalOfType,
      }));
    }),
    credits: { spent: num(rowsOf(charges)[0]?.credits), budget: presentBudget(config, windows, rowsOf(budget)) },
  };
}
