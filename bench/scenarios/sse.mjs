import { setupOrg } from "../lib/client.mjs";
import { benchEntities, countEvents, jobBody, requestIdsIn, runJob } from "../lib/jobs.mjs";
import { percentile, round } from "../lib/stats.mjs";

/**
 * For every `enrichment_completed` event: the time from the fake provider writing the answer the event carries
 * (matched by the request id in the answer body) to the event reaching the subscriber. Both clocks are this
 * process's performance.now().
 */
export function sseDelays(events, answers) {
  const delays = [];
  let unmatched = 0;
  let completedEvents = 0;
  for (const event of events) {
    if (event.type !== "enrichment_completed") continue;
    completedEvents++;
    const ids = requestIdsIn(event.data);
    if (ids.length === 0) unmatched++;
    for (const id of ids) {
      const answer = answers.get(id);
      if (answer) delays.push(event.receivedAt - answer.answeredAt);
      else unmatched++;
    }
  }
  return {
    delays,
    summary: {
      events: completedEvents,
      matched: delays.length,
      unmatched,
      p50Ms: round(percentile(delays, 50)),
      p99Ms: round(percentile(delays, 99)),
      maxMs: round(percentile(delays, 100)),
    },
  };
}

/**
 * Scenario 4: a subscriber watches a job whose provider answers in `latencyMs`; every `enrichment_completed`
 * event is timed against the provider answer it reports.
 */
export async function sse(ctx, { entities, timeoutMs }) {
  const tag = `sse-${ctx.runId}`;
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: ctx.integrations, providerUrl: ctx.fake.url });
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });
  ctx.fake.reset();
  const job = await runJob(api, jobBody(ctx, tag, benchEntities(tag, entities)), { timeoutMs });
  const { summary } = sseDelays(job.events, ctx.fake.answers());
  return {
    entities,
    tasks: entities * ctx.integrations.length,
    ...summary,
    completed: job.completed,
      ...(job.completed ? {} : { diagnosis: job.diagnosis, eventCounts: countEvents(job.events) }),
    wallMs: round(job.wallMs),
    timeline: job.timeline,
    heartbeats: job.heartbeats,
    reconnects: job.reconnects,
    duplicateEventIds: job.duplicateEventIds,
    eventCounts: countEvents(job.events),
  };
}
