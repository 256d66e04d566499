import { performance } from "node:perf_hooks";
import { setupOrg } from "../lib/client.mjs";
import { benchEntities, countEvents, jobBody, runJob } from "../lib/jobs.mjs";
import { round } from "../lib/stats.mjs";

/**
 * Scenario 6: the fan-out at growing sizes. `sizes` are single jobs; `parallel` submits `jobs` jobs of
 * `entities` each at once (one organization, as one customer syncing a large list would). Wall time runs from
 * the first POST to the last `completed`; memory is the dev server's peak during the step and its growth over
 * the RSS at the step's start. `reuse` supplies already measured steps (the fan-out scenario's size).
 */
export async function scaling(ctx, { sizes, parallel, timeoutMs, reuse = [] }) {
  const steps = [];
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench scaling-${ctx.runId}`, integrations: ctx.integrations, providerUrl: ctx.fake.url });
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });
  for (const entities of sizes) {
    const known = reuse.find((r) => r.entities === entities);
    if (known) {
      steps.push({ label: `${entities} entities (from scenario 1)`, ...known });
      continue;
    }
    const tag = `scale${entities}-${ctx.runId}`;
    ctx.fake.reset();
    const memory = await ctx.sampler.window();
    const job = await runJob(api, jobBody(ctx, tag, benchEntities(tag, entities)), { timeoutMs });
    const mem = await memory.close();
    steps.push({
      label: `${entities} entities`,
      entities,
      jobs: 1,
      wallMs: round(job.wallMs),
      peakRssMb: mem.peakRssMb,
      rssGrowthMb: round(mem.peakRssMb - mem.startRssMb),
      providerCalls: ctx.fake.stats().calls,
      providerPeakConcurrency: ctx.fake.stats().peakConcurrency,
      timeline: job.timeline,
      completed: job.completed,
      ...(job.completed ? {} : { diagnosis: job.diagnosis, eventCounts: countEvents(job.events) }),
    });
  }
  if (parallel) {
    const { jobs, entities } = parallel;
    ctx.fake.reset();
    const memory = await ctx.sampler.window();
    const started = performance.now();
    const runs = await Promise.all(
      Array.from({ length: jobs }, (_, j) => {
        const tag = `scale${jobs}x${entities}-${j}-${ctx.runId}`;
        return runJob(api, jobBody(ctx, tag, benchEntities(tag, entities)), { timeoutMs });
      }),
    );
    const mem = await memory.close();
    const ends = runs.map((r) => (r.wallMs === null ? null : r.started + r.wallMs));
    const allDone = ends.every((e) => e !== null);
    steps.push({
      label: `${jobs * entities} entities (${jobs} jobs x ${entities} at once)`,
      entities: jobs * entities,
      jobs,
      wallMs: allDone ? round(Math.max(...ends) - started) : null,
      perJobWallMs: runs.map((r) => round(r.wallMs)),
      peakRssMb: mem.peakRssMb,
      rssGrowthMb: round(mem.peakRssMb - mem.startRssMb),
      providerCalls: ctx.fake.stats().calls,
      completed: allDone,
      ...(allDone ? {} : { notCompleted: runs.filter((r) => !r.completed).map((r) => ({ jobId: r.jobId, diagnosis: r.diagnosis, eventCounts: countEvents(r.events) })) }),
    });
  }
  const base = steps[0];
  for (const step of steps) {
    step.wallPerEntityMs = step.wallMs === null ? null : round(step.wallMs / step.entities, 2);
    step.wallVsFirst = base?.wallMs && step.wallMs ? round(step.wallMs / base.wallMs, 2) : null;
  }
  return steps;
}
