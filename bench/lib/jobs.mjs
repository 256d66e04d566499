import { performance } from "node:perf_hooks";
import { watchEvents } from "./sse.mjs";

const debug = process.env.BENCH_DEBUG ? (m) => process.stderr.write(`[job] ${m}\n`) : () => {};

/** `n` inline people whose names (and so provider lookups and cache keys) belong to `tag` alone. */
export function benchEntities(tag, n, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({
    type: "person",
    externalId: `${tag}-${offset + i}`,
    attributes: { fullName: `${tag} Person ${offset + i}` },
  }));
}

/** The job body every scenario sends: inline entities, the integrations, and a tag the fake counts by. */
export function jobBody(ctx, tag, entities, extra = {}) {
  return { entities, integrationCodes: ctx.integrations, params: { scenario: tag }, ...extra };
}

/**
 * POSTs a job and follows its SSE stream to the terminal `completed` event. The wall time runs from just
 * before the POST to the arrival of `completed`.
 */
export async function runJob(api, body, { timeoutMs, onEvent } = {}) {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  debug(`POST /v1/jobs (${body.entities.length} entities)`);
  const posted = await api.json("POST", "/v1/jobs", { body, expect: [202] });
  const jobId = posted.jobId;
  debug(`job ${jobId} created in ${Math.round(performance.now() - started)} ms`);
  const postMs = performance.now() - started;
  const watch = await watchEvents(`${api.baseUrl}/v1/jobs/${jobId}/events`, api.token, { deadline, onEvent });
  const completedEvent = watch.events.find((e) => e.type === "completed");
  // A job that never sent `completed`: keep what the API says about it, for the report.
  const diagnosis = watch.completed ? undefined : await api.json("GET", `/v1/jobs/${jobId}`).catch((e) => String(e));
  debug(`job ${jobId}: ${watch.events.length} events, completed ${watch.completed}`);
  const results = watch.events.filter((e) => e.type === "enrichment_completed");
  const at = (e) => (e ? Math.round(e.receivedAt - started) : null);
  return {
    /** POST → first result, → last result, → `completed`: dispatch delay, throughput, and finalization. */
    timeline: {
      firstResultMs: at(results[0]),
      lastResultMs: at(results[results.length - 1]),
      completedMs: at(completedEvent),
      resultsPerSecond:
        results.length > 1 ? Math.round((results.length / ((results[results.length - 1].receivedAt - results[0].receivedAt) / 1000)) * 10) / 10 : null,
    },
    jobId,
    posted,
    postMs,
    started,
    completed: watch.completed,
    wallMs: completedEvent ? completedEvent.receivedAt - started : null,
    events: watch.events,
    diagnosis,
    reconnects: watch.reconnects,
    heartbeats: watch.heartbeats,
    duplicateEventIds: watch.duplicateIds,
  };
}

export const countEvents = (events) => events.reduce((acc, e) => ((acc[e.type] = (acc[e.type] ?? 0) + 1), acc), {});

/** The provider request id the fake put in its answer, wherever the event nests the provider's answer. */
export function requestIdsIn(value, found = [], depth = 0) {
  if (depth > 8 || value === null || typeof value !== "object") return found;
  if (typeof value.requestId === "string" && /^fp-\d+$/.test(value.requestId)) found.push(value.requestId);
  for (const v of Object.values(value)) requestIdsIn(v, found, depth + 1);
  return found;
}
