import type { AutoJobResult, BudgetPeriod, SkipReason } from "../../../db/schema/auto-enrichment";
import type { Attributes } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { rawStatement, runStatements } from "../../../platform/db/statements";
import type { Env, Settings } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import { publish } from "../../../platform/events";
import type { Semaphore } from "../../../platform/lib/semaphore";
import { type EnrichmentResult, type PlannedRun, executePlan, maxChargeOf, planRun } from "../../enrichment";
import { attributeValue } from "../../entities";
import { type RunRef, exhaustStatement, releaseHoldStatements, reserveStatements } from "../budget/hold";
import { windowsAt } from "../budget/windows";
import { type SettledJob, derivedEvent } from "../events";
import { type AutoJobRow, type ClaimedJob, claimJob, parkIfPaused } from "./claim";
import { type Decision, decideFields } from "./decide";
import { findingsOf, jobResults, jobStatusOf, valueHash } from "./outcome";
import { outboxFor } from "./outbox";
import { type Finish, enrichmentIdOf, finishStatement, ranStatements, skipStatements } from "./settle";

export interface PipelineContext {
  env: Env;
  settings: Settings;
  db: Db;
  /** Shared by every job of one consumer invocation (production allows only a few open connections). */
  connections: Semaphore;
  /**
   * How many jobs run their integrations at once. An integration's time budget starts when it starts, waiting for a
   * connection included, so a batch may not start more calls than its connections serve in a few rounds.
   */
  runSlots: Semaphore;
  /** Fresh results' cache writes, awaited by the consumer before it returns. */
  cacheWrites: Promise<void>[];
  /** Takes a settled job's outbox to publish (the consumer publishes a batch's together, after its jobs). */
  settled: (job: SettledJob) => void;
  /** The invocation's plans, by organization and what they expand (one read per distinct plan). */
  plans: Map<string, Promise<PlannedRun>>;
}

/** Triggers that run only while the configuration has auto-enrichment on (manual runs, retries and a create payload's own integrations do not). */
const AUTOMATIC = new Set(["created", "updated", "import", "stale"]);
/** Triggers held back by the cooldown (unless `force`). */
const COOLED = new Set(["updated", "import", "stale", "manual"]);
/** A run gets this long for its provider calls, whatever its integrations' own budgets. */
const RUN_DEADLINE_MS = 60_000;
/** Claims of one job before it is failed instead of queued again. */
export const MAX_ATTEMPTS = 5;

export const FINAL_STATUSES = new Set(["succeeded", "partial", "failed", "skipped", "cancelled"]);

/**
 * Runs one queued job: claim (never while paused, never twice), the checks that skip it without charge, the budget and
 * prepaid holds, the integrations through the enrichment core, then one D1 batch for everything it decided, then its
 * events. Answers `retry` when the job went back to the queue because of an internal failure.
 */
export async function runAutoJob(ctx: PipelineContext, orgId: string, jobId: string): Promise<"done" | "retry"> {
  const claimed = await claimJob(ctx.db, orgId, jobId, Date.now());
  if (!claimed) {
    const job = await parkIfPaused(ctx.db, orgId, jobId, new Date().toISOString());
    // Settled by an earlier delivery that did not get to publish: publish again, same event ids.
    if (job && FINAL_STATUSES.has(job.status) && !job.publishedAt) ctx.settled(job);
    return "done";
  }
  const run: RunRef = { orgId, jobId, token: claimed.token };
  try {
    await execute(ctx, claimed, run);
    return "done";
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "auto-enrichment job failed; released", jobId, error: String(error) }));
    const failed = claimed.job.attempts >= MAX_ATTEMPTS;
    await abandonRun(ctx, run, claimed.job, failed ? { code: "SYSTEM", message: String(error).slice(0, 500) } : null);
    return failed ? "done" : "retry";
  }
}

async function execute(ctx: PipelineContext, claimed: ClaimedJob, run: RunRef): Promise<void> {
  const { job, entity, config } = claimed;
  const now = Date.now();
  const skip = (reason: SkipReason) => settleSkipped(ctx, run, claimed, reason);
  if (!entity) return skip("ENTITY_DELETED");
  const typeConfig = config.entityTypes[entity.type];
  if (AUTOMATIC.has(job.trigger) && !job.integrationCodes && (!config.enabled || !typeConfig.enabled)) return skip("DISABLED");
  const cooldownMs = config.triggers.cooldownHours * 3_600_000;
  if (COOLED.has(job.trigger) && !job.force && claimed.lastRunAt && now - Date.parse(claimed.lastRunAt) < cooldownMs) return skip("COOLDOWN");
  if (!job.integrationCodes && typeConfig.requiredInputs.length > 0 && !meetsAny(entity.attributes, typeConfig.requiredInputs)) return skip("MISSING_INPUT");

  let plan: PlannedRun;
  try {
    plan = await planOf(ctx, run.orgId, job.integrationCodes ? { integrationCodes: job.integrationCodes } : typeConfig);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // Named nothing, or names an integration or group that no longer exists.
    if (!job.integrationCodes && typeConfig.integrationCodes.length + typeConfig.enrichmentGroupRefs.length === 0) return skip("NO_INTEGRATIONS");
    return settleFailed(ctx, run, claimed, { code: "INVALID_PLAN", message: error.message });
  }
  if (plan.integrations.length === 0) return skip("NO_INTEGRATIONS");

  const credits = maxChargeOf(plan);
  if (credits > 0) {
    const refused = await reserve(ctx, run, claimed, credits, now);
    if (refused) return skip(refused);
  }

  const ids = new Map(await Promise.all(plan.integrations.map(async (i) => [i.code, await enrichmentIdOf(run.jobId, i.code)] as const)));
  const results = await ctx.runSlots.run(() =>
    executePlan({
      deps: { env: ctx.env, settings: ctx.settings, db: ctx.db, orgId: run.orgId },
      plan,
      entity,
      request: { strategy: typeConfig.strategy, params: typeConfig.strategy === "waterfall" ? { fields: Object.keys(typeConfig.fieldMapping) } : {} },
      deadline: Date.now() + RUN_DEADLINE_MS,
      connections: ctx.connections,
      enrichmentIdOf: (integration) => ids.get(integration.code) ?? crypto.randomUUID(),
      deferCacheWrite: (write) => ctx.cacheWrites.push(write),
    }),
  );
  await settleRan(ctx, run, claimed, results);
}

/** A plan shared by the invocation's jobs that expand the same integrations (a failed read is not kept). */
function planOf(ctx: PipelineContext, orgId: string, request: { integrationCodes?: string[]; enrichmentGroupRefs?: string[] }): Promise<PlannedRun> {
  const key = JSON.stringify([orgId, request.integrationCodes ?? [], request.enrichmentGroupRefs ?? []]);
  let plan = ctx.plans.get(key);
  if (!plan) {
    plan = planRun(ctx.db, orgId, request);
    ctx.plans.set(key, plan);
    plan.catch(() => ctx.plans.delete(key));
  }
  return plan;
}

const meetsAny = (attributes: Attributes, sets: string[][]) => sets.some((set) => set.every((name) => attributeValue(attributes, name) !== undefined));

/** Holds the job's credits; answers why it cannot run when a window or the prepaid balance has no room. */
async function reserve(ctx: PipelineContext, run: RunRef, claimed: ClaimedJob, credits: number, now: number): Promise<SkipReason | null> {
  const { budget } = claimed.config;
  const windows = windowsAt(now, budget.timezone);
  const caps: Record<BudgetPeriod, number | null> = { day: budget.dailyCredits, month: budget.monthlyCredits };
  const at = new Date(now).toISOString();
  const answers = await runStatements(ctx.db, reserveStatements(ctx.db, { run, credits, windows, caps, now: at }));
  if ((answers[1]?.results ?? []).length > 0) return null;
  const usage = new Map(((answers[4]?.results ?? []) as { period: BudgetPeriod; spent: number; reserved: number }[]).map((w) => [w.period, w.spent + w.reserved]));
  const full = (["day", "month"] as const).filter((p) => caps[p] !== null && (usage.get(p) ?? 0) + credits > (caps[p] ?? 0));
  if (full.length === 0) return "INSUFFICIENT_CREDITS";
  const marked = await runStatements(ctx.db, full.map((p) => exhaustStatement(ctx.db, run.orgId, windows[p], at)));
  const events = full.flatMap((p, i) =>
    (marked[i]?.results ?? []).length > 0
      ? [
          derivedEvent(`evt_budget_exhausted_${run.orgId}_${p}_${windows[p].key}`, "auto_enrichment.budget_exhausted", run.orgId, {
            period: p,
            periodKey: windows[p].key,
            cap: caps[p],
            spent: usage.get(p) ?? 0,
            timezone: budget.timezone,
            resetsAt: windows[p].resetsAt,
            jobId: run.jobId,
          }),
        ]
      : [],
  );
  await publish(ctx.env, events);
  return "BUDGET_EXHAUSTED";
}

async function settleSkipped(ctx: PipelineContext, run: RunRef, claimed: ClaimedJob, reason: SkipReason): Promise<void> {
  const now = new Date().toISOString();
  const finish: Finish = {
    status: "skipped",
    skipReason: reason,
    results: [],
    configVersion: claimed.configVersion,
    outbox: outboxFor({ job: claimed.job, status: "skipped", skipReason: reason, results: [], now }),
    now,
  };
  await settleAndPublish(ctx, claimed.job, skipStatements(ctx.db, run, claimed.job, finish), 1, finish);
}

async function settleFailed(ctx: PipelineContext, run: RunRef, claimed: ClaimedJob, error: { code: string; message: string }): Promise<void> {
  const now = new Date().toISOString();
  const finish: Finish = {
    status: "failed",
    skipReason: null,
    error,
    results: [],
    configVersion: claimed.configVersion,
    outbox: outboxFor({ job: claimed.job, status: "failed", skipReason: null, error, results: [], now }),
    now,
  };
  await settleAndPublish(ctx, claimed.job, skipStatements(ctx.db, run, claimed.job, finish), 1, finish);
}

/** Runs a settling batch; when its job row was this run's to write (`finishAt` answered a row), publishes the outbox. */
async function settleAndPublish(ctx: PipelineContext, job: AutoJobRow, statements: D1PreparedStatement[], fromEnd: number, finish: Finish) {
  const answers = await runStatements(ctx.db, statements);
  if ((answers[answers.length - fromEnd]?.results ?? []).length === 0) return;
  ctx.settled({ ...job, outbox: finish.outbox });
}

async function settleRan(ctx: PipelineContext, run: RunRef, claimed: ClaimedJob, results: EnrichmentResult[]): Promise<void> {
  const entity = claimed.entity;
  if (!entity) return;
  const now = new Date().toISOString();
  const decision = await decideFields({
    entityType: entity.type,
    attributes: entity.attributes,
    sources: entity.attributeSources,
    typeConfig: claimed.config.entityTypes[entity.type],
    autoAccept: claimed.config.conflicts.autoAccept,
    findings: findingsOf(results),
    openConflicts: claimed.openConflicts,
    suppressed: claimed.suppressed,
    hashOf: valueHash,
    now,
  });
  const finish = finishOf(claimed, results, decision, now);
  const { statements, finishAt, writesAt } = ranStatements(ctx.db, { run, job: claimed.job, entity, results, decision, finish });
  const answers = await runStatements(ctx.db, statements);
  if ((answers[finishAt]?.results ?? []).length === 0) return;
  const unlanded = decision.writes.filter((_, i) => (answers[writesAt + i]?.results ?? []).length === 0);
  if (unlanded.length > 0) {
    // The attribute changed between the read and the batch (a customer's write): report what actually happened.
    const corrected = withUnlanded(decision, unlanded.map((w) => w.field));
    const fixed = finishOf(claimed, results, corrected, now);
    await rawStatement(
      ctx.db,
      "UPDATE auto_enrichment_jobs SET results = ?, fields_filled = ?, fields_updated = ?, fields_skipped = ?, outbox = ? WHERE id = ? AND run_token = ?",
      JSON.stringify(fixed.results),
      fixed.counts?.filled ?? 0,
      fixed.counts?.updated ?? 0,
      fixed.counts?.skipped ?? 0,
      JSON.stringify(fixed.outbox),
      run.jobId,
      run.token,
    ).run();
    return ctx.settled({ ...claimed.job, outbox: fixed.outbox });
  }
  ctx.settled({ ...claimed.job, outbox: finish.outbox });
}

function finishOf(claimed: ClaimedJob, results: EnrichmentResult[], decision: Decision, now: string): Finish {
  const perIntegration = jobResults(results, decision);
  const { status, skipReason } = jobStatusOf(perIntegration);
  const total = (pick: (r: AutoJobResult) => unknown[]) => perIntegration.reduce((sum, r) => sum + pick(r).length, 0);
  return {
    status,
    skipReason,
    results: perIntegration,
    counts: {
      filled: total((r) => r.fieldsFilled),
      updated: total((r) => r.fieldsUpdated),
      proposed: total((r) => r.fieldsProposed),
      skipped: total((r) => r.fieldsSkipped),
      conflictsCreated: decision.conflicts.filter((c) => !c.repeat && !c.autoAccepted).length,
    },
    configVersion: claimed.configVersion,
    outbox: outboxFor({ job: claimed.job, status, skipReason, results: perIntegration, ran: results, conflicts: decision.conflicts, now }),
    now,
  };
}

/** The decision as it landed: writes whose compare-and-set failed are reported skipped, `changed_during_run`. */
function withUnlanded(decision: Decision, fields: string[]): Decision {
  const byIntegration = new Map(
    [...decision.byIntegration].map(([code, o]) => {
      const lost = [...o.filled, ...o.updated].filter((f) => fields.includes(f));
      return [
        code,
        {
          ...o,
          filled: o.filled.filter((f) => !fields.includes(f)),
          updated: o.updated.filter((f) => !fields.includes(f)),
          skipped: [...o.skipped, ...lost.map((field) => ({ field, reason: "changed_during_run" }))],
        },
      ];
    }),
  );
  return { ...decision, byIntegration, writes: decision.writes.filter((w) => !fields.includes(w.field)) };
}

/**
 * Gives a run's job back: its holds released and, unless it is to fail, queued again for the next delivery (the message
 * is retried; the cron sends it if that is lost too). Only while this run still holds it.
 */
export async function abandonRun(ctx: Pick<PipelineContext, "env" | "db" | "settled">, run: RunRef, job: AutoJobRow, failure: { code: string; message: string } | null) {
  const now = new Date().toISOString();
  if (!failure) {
    await runStatements(ctx.db, [
      ...releaseHoldStatements(ctx.db, run, now),
      rawStatement(
        ctx.db,
        `UPDATE auto_enrichment_jobs SET status = 'queued', run_token = NULL, lease_until = NULL, budget_reserved = 0, prepaid_reserved = 0,
           dispatched_at = ?, updated_at = ?
         WHERE id = ? AND run_token = ? AND status = 'running'`,
        now,
        now,
        run.jobId,
        run.token,
      ),
    ]);
    return;
  }
  const finish: Finish = {
    status: "failed",
    skipReason: null,
    error: failure,
    results: [],
    configVersion: job.configVersion,
    outbox: outboxFor({ job, status: "failed", skipReason: null, error: failure, results: [], now }),
    now,
  };
  const answers = await runStatements(ctx.db, [...releaseHoldStatements(ctx.db, run, now), finishStatement(ctx.db, run, job.startedAt, finish)]);
  if ((answers[answers.length - 1]?.results ?? []).length > 0) ctx.settled({ ...job, outbox: finish.outbox });
}
