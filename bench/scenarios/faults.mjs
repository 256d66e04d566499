import { performance } from "node:perf_hooks";
import { queryLocalD1 } from "../lib/dev-server.mjs";
import { responses, setupOrg } from "../lib/client.mjs";
import { benchEntities, countEvents, jobBody, runJob } from "../lib/jobs.mjs";
import { sleep } from "../lib/processes.mjs";
import { round } from "../lib/stats.mjs";

const WEBHOOK_EVENTS = ["enrichment.completed", "enrichment.failed", "job.completed", "job.failed"];
const TERMINAL_ENTITY = new Set(["succeeded", "failed", "cancelled"]);

/** Charges net of refunds that the ledger booked against this job. */
async function creditsCharged(api, jobId) {
  const rows = (await api.all("/v1/credits/transactions")).filter((t) => t.jobId === jobId);
  const charged = rows.filter((t) => t.type === "charge").reduce((sum, t) => sum - t.amount, 0);
  const refunded = rows.filter((t) => t.type === "refund").reduce((sum, t) => sum + t.amount, 0);
  return { charged, refunded, net: charged - refunded, transactions: rows.length };
}

/** Enrichment records per (entity, integration) of the job, read from the local D1 as wrangler sees it. */
async function recordsPerTask(ctx, jobId) {
  if (!/^[\w-]+$/.test(jobId)) throw new Error(`Unexpected job id ${jobId}`);
  const rows = await queryLocalD1(
    ctx,
    `SELECT entity_id AS entityId, integration_code AS code, COUNT(*) AS n FROM enrichments WHERE job_id = '${jobId}' GROUP BY entity_id, integration_code`,
  );
  return new Map(rows.map((r) => [`${r.entityId}|${r.code}`, Number(r.n)]));
}

/**
 * Waits (bounded) for the webhook deliveries to settle, then accounts for every event: delivered (a verified
 * 2xx at the receiver), still retrying ("pending": each attempt so far failed and the queue will try again,
 * with backoff that starts at about 10 s), or lost (failed for good, or never recorded).
 */
async function accountWebhooks(api, webhookId, bin, { expectedEvents, settleMs }) {
  const until = Date.now() + settleMs;
  let pending = Number.POSITIVE_INFINITY;
  while (Date.now() < until) {
    pending = (await api.all(`/v1/webhooks/${webhookId}/deliveries?status=pending`)).length;
    if (pending === 0) break;
    await sleep(Math.min(2000, Math.max(0, until - Date.now())));
  }
  const deliveries = await api.all(`/v1/webhooks/${webhookId}/deliveries`);
  const attempts = bin.attempts();
  const okAtReceiver = new Set(attempts.filter((a) => a.verified && a.status === 200).map((a) => a.deliveryId));
  const badSignature = new Set(attempts.filter((a) => !a.verified).map((a) => a.deliveryId));
  const byEvent = new Map();
  for (const d of deliveries) byEvent.set(d.eventId, [...(byEvent.get(d.eventId) ?? []), d]);
  let delivered = 0;
  let stillPending = 0;
  let failed = 0;
  for (const list of byEvent.values()) {
    if (list.some((d) => okAtReceiver.has(d.id))) delivered++;
    else if (list.some((d) => d.status === "pending")) stillPending++;
    else failed++;
  }
  const eventsWithoutDelivery = Math.max(0, expectedEvents - byEvent.size);
  const entitiesNotified = new Set(
    attempts.filter((a) => a.verified && a.status === 200 && a.type?.startsWith("enrichment.")).map((a) => a.data?.entityId),
  );
  return {
    lost: failed + eventsWithoutDelivery + badSignature.size,
    pending: stillPending,
    detail: {
      expectedEvents,
      events: byEvent.size,
      deliveries: deliveries.length,
      delivered,
      failed,
      eventsWithoutDelivery,
      badSignatureDeliveries: badSignature.size,
      attemptsAtReceiver: attempts.length,
      refusedByReceiver: attempts.filter((a) => a.verified && a.status !== 200).length,
      entitiesNotified: entitiesNotified.size,
      byType: countBy(deliveries, (d) => d.eventType),
      byStatus: countBy(deliveries, (d) => d.status),
    },
  };
}

const countBy = (items, key) => items.reduce((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {});

/**
 * Scenario 5: a job while the provider fails 20% of calls with 5xx, hangs 5% past the integration timeout and
 * answers 5% with 429 + Retry-After, and the webhook endpoint refuses 30% of attempts. Everything must still end
 * in a terminal state, be billed exactly for its successes, recorded once per task, never answer 5xx to a client,
 * and be delivered (signed) to the webhook.
 */
export async function faults(ctx, { entities, timeoutMs, webhookSettleMs }) {
  const tag = `faults-${ctx.runId}`;
  const http5xx = responses.mark();
  const integrations = ctx.integrations.length;
  const maxCharge = entities * integrations * Math.max(...ctx.integrations.map((c) => ctx.credits[c] ?? 1));
  const { api } = await setupOrg(ctx.baseUrl, {
    name: `bench ${tag}`,
    integrations: ctx.integrations,
    providerUrl: ctx.fake.url,
    billingMode: "prepaid",
    initialCredits: maxCharge * 3,
  });
  const bin = ctx.receiver.bin(tag, { failRate: 0.3 });
  const webhook = await api.json("POST", "/v1/webhooks", { body: { url: bin.url, events: WEBHOOK_EVENTS }, expect: [201] });
  bin.setSecret(webhook.secret);

  const hangMs = Math.max(...ctx.integrations.map((c) => ctx.timeouts[c] ?? 3000)) + 2000;
  ctx.fake.configure({
    default: {
      latency: { dist: "fixed", ms: ctx.latencyMs },
      errorRate: 0.2,
      errorStatus: 503,
      hangRate: 0.05,
      hangMs,
      rate429: 0.05,
      retryAfterSeconds: 1,
    },
  });
  ctx.fake.reset();
  const memory = await ctx.sampler.window();
  const job = await runJob(api, jobBody(ctx, tag, benchEntities(tag, entities), { webhookId: webhook.id }), { timeoutMs });
  const mem = await memory.close();
  const provider = ctx.fake.stats();
  ctx.fake.configure({ default: { latency: { dist: "fixed", ms: ctx.latencyMs } } });

  const snapshot = await api.json("GET", `/v1/jobs/${job.jobId}`);
  const outcomes = await api.all(`/v1/jobs/${job.jobId}/results`);
  const terminal = outcomes.filter((o) => TERMINAL_ENTITY.has(o.status)).length;
  const results = outcomes.flatMap((o) => (o.results ?? []).map((r) => ({ ...r, entityId: o.entityId })));
  const successes = results.filter((r) => r.success);
  const successCredits = successes.reduce((sum, r) => sum + (ctx.credits[r.integrationCode] ?? r.credits ?? 0), 0);
  const ledger = await creditsCharged(api, job.jobId);
  const balance = await api.json("GET", "/v1/credits");

  const records = await recordsPerTask(ctx, job.jobId);
  let duplicateRecords = 0;
  let missingRecords = 0;
  for (const o of outcomes) {
    for (const code of ctx.integrations) {
      const n = records.get(`${o.entityId}|${code}`) ?? 0;
      if (n === 0) missingRecords++;
      if (n > 1) duplicateRecords += n - 1;
    }
  }

  const result = {
    entities,
    stuck: entities - terminal,
    creditMismatch: ledger.net - successCredits,
    duplicateRecords,
    missingRecords,
    http500: null,
    webhooksLost: null,
    webhooksPending: null,
    wallMs: round(job.wallMs),
    timeline: job.timeline,
    completed: job.completed,
      ...(job.completed ? {} : { diagnosis: job.diagnosis, eventCounts: countEvents(job.events) }),
    jobId: job.jobId,
    jobStatus: snapshot.status,
    counts: snapshot.counts,
    successes: successes.length,
    failures: results.filter((r) => !r.success).length,
    errorCodes: countBy(results.filter((r) => !r.success), (r) => r.error?.code ?? "unknown"),
    credits: { ...ledger, successCredits, reservedLeft: balance.reservedCredits },
    provider: { calls: provider.calls, tasks: provider.tasks, retries: provider.retries, byFate: provider.byFate, aborted: provider.aborted },
    events: countEvents(job.events),
    peakRssMb: mem.peakRssMb,
  };
  const jobEndedAt = Date.now();
  const jobEndedPerf = performance.now();
  const http5xxDuringJob = http5xx();

  /**
   * Webhook retries back off (the first after about 10 s), so the run settles them last, after the other
   * scenarios, waiting at most until `webhookSettleMs` after the job ended.
   */
  async function finish() {
    const settleMs = Math.max(0, jobEndedAt + webhookSettleMs - Date.now());
    const http5xxWhileSettling = responses.mark();
    const webhooks = await accountWebhooks(api, webhook.id, bin, { expectedEvents: entities + 1, settleMs });
    result.webhooksLost = webhooks.lost;
    result.webhooksPending = webhooks.pending;
    const delivered = bin.attempts().filter((a) => a.verified && a.status === 200);
    result.webhooks = {
      ...webhooks.detail,
      checkedMsAfterJobEnd: Date.now() - jobEndedAt,
      lastDeliveryMsAfterJobEnd: delivered.length ? Math.round(Math.max(...delivered.map((a) => a.at)) - jobEndedPerf) : null,
    };
    result.http500 = http5xxDuringJob + http5xxWhileSettling();
    result.serverErrors = responses.serverErrors.slice(0, 5);
    return result;
  }
  return { result, finish };
}
