import { cpus } from "node:os";
import { setupOrg } from "../lib/client.mjs";
import { benchEntities, countEvents, jobBody, runJob } from "../lib/jobs.mjs";
import { ratio, round } from "../lib/stats.mjs";
import { sseDelays } from "./sse.mjs";

/**
 * Scenario 1: one job of `entities` x the bench integrations, every provider call answering in `latencyMs`.
 * The ideal is entities x latency / the smallest per-integration concurrency cap (integrations run side by side).
 * Returns the figures, plus what the cache scenario needs to send the same job again.
 */
export async function fanout(ctx, { entities, tag = `fanout-${ctx.runId}`, timeoutMs }) {
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: ctx.integrations, providerUrl: ctx.fake.url });
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });
  ctx.fake.reset();
  const body = jobBody(ctx, tag, benchEntities(tag, entities));
  const memory = await ctx.sampler.window();
  const job = await runJob(api, body, { timeoutMs });
  const mem = await memory.close();
  const provider = ctx.fake.stats();
  const integrations = ctx.integrations.length;
  const concurrency = Math.min(...ctx.integrations.map((code) => ctx.caps[code] ?? 1));
  const idealMs = (entities * ctx.latencyMs) / concurrency;
  const delays = sseDelays(job.events, ctx.fake.answers());
  return {
    result: {
      entities,
      integrations,
      size: `${entities} x ${integrations}`,
      integrationCodes: ctx.integrations,
      tasks: entities * integrations,
      concurrency,
      latencyMs: ctx.latencyMs,
      wallMs: round(job.wallMs),
      idealMs,
      ratio: ratio(job.wallMs, idealMs),
      providerCalls: provider.calls,
      providerTasks: provider.tasks,
      expectedCalls: entities * integrations,
      retries: provider.retries,
      providerPeakConcurrency: provider.peakConcurrency,
      providerPeakByIntegration: provider.peakByRoute,
      peakRssMb: mem.peakRssMb,
      memory: mem,
      cpu: cpuPerTask(mem.cpu, entities * integrations),
      completed: job.completed,
      ...(job.completed ? {} : { diagnosis: job.diagnosis, eventCounts: countEvents(job.events) }),
      postMs: round(job.postMs),
      timeline: job.timeline,
      jobId: job.jobId,
      events: countEvents(job.events),
      sseReconnects: job.reconnects,
      sseUnderLoad: delays.summary,
    },
    replay: { api, body },
  };
}

/**
 * CPU time per task, by where it was spent. On a machine with few cores this, not waiting for providers, is what
 * bounds a local job: the ideal wall time leaves `cores x ideal / tasks` of CPU per task for everything.
 */
export function cpuPerTask(cpu, tasks) {
  const per = (ms) => round(ms / tasks, 2);
  return {
    ...cpu,
    perTaskMs: { workerd: per(cpu.workerdMs), wranglerNode: per(cpu.wranglerNodeMs), bench: per(cpu.benchMs), machine: per(cpu.machineMs) },
    machineBusyShare: round(cpu.machineMs / (cpu.wallMs * cpus().length), 2),
  };
}

/** Scenario 2: the same job again: every answer should come from the cache. */
export async function cache(ctx, first, { timeoutMs }) {
  ctx.fake.reset();
  const memory = await ctx.sampler.window();
  const job = await runJob(first.replay.api, first.replay.body, { timeoutMs });
  const mem = await memory.close();
  const provider = ctx.fake.stats();
  return {
    providerCalls: provider.calls,
    wallMs: round(job.wallMs),
    wallRatio: ratio(job.wallMs, first.result.wallMs),
    timeline: job.timeline,
    peakRssMb: mem.peakRssMb,
    cpu: cpuPerTask(mem.cpu, first.result.tasks),
    completed: job.completed,
      ...(job.completed ? {} : { diagnosis: job.diagnosis, eventCounts: countEvents(job.events) }),
    jobId: job.jobId,
    events: countEvents(job.events),
  };
}
