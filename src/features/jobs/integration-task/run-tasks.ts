import { inArray } from "drizzle-orm";
import { z } from "zod";
import { entities } from "../../../db/schema/entities";
import { type PlannedRun, executePlan, inputOf, planRun } from "../../enrichment";
import type { EnrichmentResult } from "../../enrichment";
import type { CachedEnrichment } from "../../enrichment";
import { type CacheProbe, prefetchCache, runIntegration } from "../../enrichment";
import { EnrichmentError } from "../../../providers/errors";
import type { ProviderCallContext } from "../../../platform/queue-context";
import type { EntityRow } from "../../entities";
import type { ClaimAnswer } from "../engine/types";
import type { JobTaskMessage } from "./spec";
import { getJobStub } from "../engine/stub";
import { lostTaskResults } from "./outcomes";
import { priceEntity } from "./entity-price";
import { type FinishedTask, TaskReporter, retryDelaySeconds } from "./task-reporter";
import { IN_LIST_LIMIT } from "../../../platform/db/statements";
import { chunks } from "../../../platform/lib/chunks";
import { STRATEGIES } from "../../../domain/vocabulary";

const jobTaskSchema = z.object({
  kind: z.literal("job_task"),
  jobId: z.string().min(1),
  taskId: z.string().min(1),
  dispatch: z.number().int().min(1),
  orgId: z.string().min(1),
  actorKeyId: z.string().nullable(),
  entityId: z.string().min(1),
  entityIndex: z.number().int().min(0),
  integrationCodes: z.array(z.string()).min(1),
  strategy: z.enum(STRATEGIES),
  params: z.record(z.string(), z.unknown()),
  forceRefresh: z.boolean(),
  entityCredits: z.number().int().min(0).optional(),
});

interface Task {
  message: Message<unknown>;
  body: JobTaskMessage;
}


/**
 * Runs `job_task` messages: asks each job's object which tasks it still wants (one call per job), runs them
 * through the same code path as synchronous enrichment (cache, retries, timeouts) under the invocation's shared
 * connection cap and each task's deadline, then records them in D1 exactly once and reports what D1 holds, several
 * tasks at a time (TaskReporter).
 */
export async function runJobTasks(messages: Message<unknown>[], context: ProviderCallContext): Promise<void> {
  const tasks: Task[] = [];
  for (const message of messages) {
    const parsed = jobTaskSchema.safeParse(message.body);
    if (parsed.success) tasks.push({ message, body: parsed.data });
    else {
      console.error(JSON.stringify({ level: "error", message: "malformed job_task message dropped", id: message.id }));
      message.ack();
    }
  }
  const runnable = (await Promise.all(groupBy(tasks, (t) => t.body.jobId).map((group) => claimTasks(group, context)))).flat();
  if (runnable.length === 0) return;
  const rows = await loadEntities(context, runnable.map((r) => r.task.body));
  const plans = new Map<string, Promise<PlannedRun>>();
  const planFor = (body: JobTaskMessage) => {
    const key = `${body.orgId}|${body.integrationCodes.join(",")}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = planRun(context.db, body.orgId, { integrationCodes: body.integrationCodes });
      plans.set(key, plan);
    }
    return plan;
  };
  const run: RunContext = {
    ...context,
    planFor,
    // Fresh answers' cache writes go on beside recording and reporting instead of before them.
    cacheWrites: [],
    prefetchedCache: await prefetchBatchCache(runnable.map((r) => r.task.body), rows, planFor, context),
  };
  const reporter = new TaskReporter(context, runnable.length);
  await Promise.all(
    runnable.map(async ({ task, deadline }) => reporter.finished(await runTask(task, deadline, rows.get(task.body.entityId), run))),
  );
  await reporter.done();
  await Promise.all(run.cacheWrites);
}

/** What every task of one consumer invocation shares. */
interface RunContext extends ProviderCallContext {
  planFor: (body: JobTaskMessage) => Promise<PlannedRun>;
  cacheWrites: Promise<void>[];
  prefetchedCache: Map<string, CachedEnrichment | null> | undefined;
}

/** The cache entries of every task in the batch in one KV bulk read, instead of one read per task. */
async function prefetchBatchCache(
  bodies: JobTaskMessage[],
  rows: Map<string, EntityRow>,
  planFor: (body: JobTaskMessage) => Promise<PlannedRun>,
  context: ProviderCallContext,
): Promise<Map<string, CachedEnrichment | null> | undefined> {
  const probes = await Promise.all(
    bodies.map(async (body): Promise<CacheProbe[]> => {
      const entity = rows.get(body.entityId);
      if (!entity || body.strategy === "waterfall" || body.forceRefresh) return [];
      const plan = await planFor(body).catch(() => null);
      if (!plan) return [];
      const input = inputOf(entity, body.params);
      return plan.integrations.map((integration) => ({ integration, settingsRow: plan.settingsRows.get(integration.code), input, orgId: body.orgId }));
    }),
  );
  return prefetchCache(context.env.ENRICH_CACHE, probes.flat());
}

async function claimTasks(group: Task[], context: ProviderCallContext): Promise<{ task: Task; deadline: number }[]> {
  const first = group[0];
  if (!first) return [];
  let answers: ClaimAnswer[];
  try {
    answers = await getJobStub(context.env, first.body.jobId).claim(
      group.map((t) => ({ taskId: t.body.taskId, dispatch: t.body.dispatch, redelivery: t.message.attempts > 1 })),
    );
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "claiming job tasks failed", jobId: first.body.jobId, error: String(error) }));
    for (const t of group) t.message.retry({ delaySeconds: retryDelaySeconds(t.message.attempts) });
    return [];
  }
  const runnable: { task: Task; deadline: number }[] = [];
  group.forEach((task, i) => {
    const answer = answers[i];
    if (answer?.run) runnable.push({ task, deadline: answer.deadline });
    else task.message.ack();
  });
  return runnable;
}

async function runTask(
  task: Task,
  deadline: number,
  entity: EntityRow | undefined,
  context: RunContext,
): Promise<FinishedTask | null> {
  const { body, message } = task;
  if (!entity || entity.orgId !== body.orgId) {
    // Deleted since the job started: nothing to enrich or record.
    const results = failAll(body.integrationCodes, new EnrichmentError("SYSTEM", "The entity no longer exists", "system"));
    return { message, body, results, record: false, entityEnriched: {} };
  }
  try {
    const results = priceEntity(await execute(body, entity, deadline, context), body.entityCredits);
    return { message, body, results, record: true, entityEnriched: entity.enriched };
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "job task failed; retrying", jobId: body.jobId, taskId: body.taskId, error: String(error) }));
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return null;
  }
}

async function execute(body: JobTaskMessage, entity: EntityRow, deadline: number, context: RunContext): Promise<EnrichmentResult[]> {
  const { env, settings, db, connections, prefetchedCache } = context;
  const deferCacheWrite = (write: Promise<void>) => context.cacheWrites.push(write);
  let plan: PlannedRun;
  try {
    plan = await context.planFor(body);
  } catch (error) {
    // An integration that no longer exists (a deleted custom integration) fails its results, not the batch.
    return failAll(body.integrationCodes, new EnrichmentError("SYSTEM", `Cannot plan this task: ${String((error as Error).message ?? error)}`, "system"));
  }
  if (body.strategy === "waterfall") {
    return executePlan({
      deps: { env, settings, db, orgId: body.orgId },
      plan,
      entity,
      request: { strategy: "waterfall", params: body.params, forceRefresh: body.forceRefresh },
      deadline,
      connections,
      deferCacheWrite,
    });
  }
  const input = inputOf(entity, body.params);
  return Promise.all(
    plan.integrations.map((integration) =>
      runIntegration(integration, input, {
        env,
        settings,
        db,
        orgId: body.orgId,
        settingsRow: plan.settingsRows.get(integration.code),
        forceRefresh: body.forceRefresh,
        deadline,
        connections,
        deferCacheWrite,
        prefetchedCache,
      }),
    ),
  );
}

function failAll(codes: string[], error: EnrichmentError): EnrichmentResult[] {
  return lostTaskResults(codes, 0, 0).map((r) => ({ ...r, error: error.toJSON() }));
}

async function loadEntities(context: ProviderCallContext, bodies: JobTaskMessage[]): Promise<Map<string, EntityRow>> {
  const ids = [...new Set(bodies.map((b) => b.entityId))];
  const rows = new Map<string, EntityRow>();
  for (const chunk of chunks(ids, IN_LIST_LIMIT)) {
    const found = await context.db.select().from(entities).where(inArray(entities.id, chunk));
    for (const row of found) rows.set(row.id, row);
  }
  return rows;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups.values()];
}
