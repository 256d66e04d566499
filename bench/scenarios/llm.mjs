import { performance } from "node:perf_hooks";
import { setupOrg } from "../lib/client.mjs";
import { countEvents } from "../lib/jobs.mjs";
import { watchEvents } from "../lib/sse.mjs";
import { percentile, ratio, round } from "../lib/stats.mjs";
import { cpuPerTask } from "./fanout.mjs";

const MODELS = ["m1", "m2", "m3"];

/** The schema each model fills (six fields of every kind fusion compares). */
const SCHEMA = {
  name: "Bench company",
  entityType: "company",
  jsonSchema: {
    type: "object",
    properties: {
      legalName: { type: "string", identifying: true },
      founded: { type: "integer", minimum: 1800, maximum: 2030 },
      revenueUsdM: { type: "number" },
      listed: { type: "boolean" },
      sector: { type: "string", enum: ["tech", "health", "energy", "retail"] },
      tags: { type: "array", items: { type: "string" }, maxItems: 3 },
    },
    required: ["legalName"],
  },
};

/**
 * Scenario 9: an LLM enrichment of `entities` x 3 models (an OpenAI-compatible provider on the fake LLM, every call
 * answering in `latencyMs`, each model departing from the others on some fields), fused per entity. Ideal = the
 * waves of each model's lane (entities / its cap) x latency, the three models side by side; fusion makes no call.
 * Also: the fake's peak calls in flight, every model call and record exactly once, credits = the records', and
 * the CPU fusion costs per entity (the same fuse() on the run's own records, in this process).
 */
export async function llm(ctx, { entities, latencyMs, cap, timeoutMs }) {
  const tag = `llm-${ctx.runId}`;
  const { api } = await setupOrg(ctx.baseUrl, { name: `bench ${tag}`, integrations: [], providerUrl: ctx.fake.url });
  const spec = `id=${tag};latency=${latencyMs};wrong=25`;
  await api.json("PUT", "/v1/llm/providers/bench", {
    body: {
      baseUrl: `${ctx.fakeLlm.url}/compat/~${encodeURIComponent(spec)}/v1`,
      models: MODELS.map((model) => ({ model, inputPerMTok: 1, outputPerMTok: 4, structuredOutput: true })),
      maxConcurrency: cap,
    },
  });
  const body = {
    entities: Array.from({ length: entities }, (_, i) => ({ name: `${tag} Company ${i}`, country: i % 2 ? "US" : "DE" })),
    schema: SCHEMA,
    models: MODELS.map((m) => `bench::${m}`),
    strategy: "single_pass",
  };
  const memory = await ctx.sampler.window();
  const started = performance.now();
  const posted = await api.json("POST", "/v1/llm/enrichments", { body, expect: [202] });
  const watch = await watchEvents(`${ctx.baseUrl}/v1/jobs/${posted.jobId}/events`, api.token, { deadline: Date.now() + timeoutMs });
  const completedAt = watch.events.find((e) => e.type === "completed")?.receivedAt;
  const mem = await memory.close();
  const wallMs = completedAt ? completedAt - started : null;
  const idealMs = Math.ceil(entities / cap) * latencyMs;

  const calls = await (await fetch(`${ctx.fakeLlm.url}/fake-llm/calls?id=${encodeURIComponent(tag)}`)).json();
  const job = await api.json("GET", `/v1/jobs/${posted.jobId}`);
  const records = await api.all(`/v1/llm/records?jobId=${posted.jobId}`);
  const models = records.filter((r) => r.type === "enrichment");
  const fusions = records.filter((r) => r.type === "fusion");
  const perEntity = new Map();
  for (const r of models) perEntity.set(r.entityIndex, [...(perEntity.get(r.entityIndex) ?? []), r]);
  const duplicates = [...perEntity.values()].reduce((n, rs) => n + (rs.length - new Set(rs.map((r) => r.model)).size), 0);
  const ledger = await api.all("/v1/credits/transactions");
  const charged = ledger.filter((t) => t.jobId === posted.jobId && t.type === "charge").reduce((s, t) => s - t.amount, 0);

  // Fusion's own CPU: the run's records fused again here, entity by entity, many times.
  const { fuse } = ctx.fusion;
  const inputs = [...perEntity.values()].map((rs) => rs.map((r) => ({ model: r.model, recordId: r.id, output: r.output ?? {} })));
  const rounds = 20;
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < rounds; i++) for (const input of inputs) fuse(SCHEMA.jsonSchema, input, { modelOrder: body.models });
  const cpu = process.cpuUsage(cpuStart);
  const fusionCpuMs = inputs.length ? (cpu.user + cpu.system) / 1000 / (rounds * inputs.length) : null;

  return {
    entities,
    models: MODELS.length,
    size: `${entities} x ${MODELS.length}`,
    latencyMs,
    capPerModel: cap,
    wallMs: round(wallMs),
    idealMs,
    ratio: ratio(wallMs, idealMs),
    modelCalls: calls.total,
    expectedCalls: entities * MODELS.length,
    callsText: `${calls.total} / ${entities * MODELS.length}`,
    peakCallsInFlight: calls.peakInFlight,
    callOutcomes: calls.byOutcome,
    status: job.status,
    stuck: job.counts.total - job.counts.succeeded - job.counts.failed - job.counts.cancelled,
    modelRecords: models.length,
    fusionRecords: fusions.length,
    duplicateRecords: duplicates,
    missingRecords: entities * MODELS.length - models.length + duplicates,
    creditMismatch: charged - records.reduce((s, r) => s + r.credits, 0),
    credits: charged,
    reservedCredits: job.reservedCredits,
    fusionCpuMsPerEntity: round(fusionCpuMs, 3),
    fusionTaskMsP50: percentile(
      fusions.map((f) => f.durationMs),
      50,
    ),
    peakRssMb: mem.peakRssMb,
    cpu: cpuPerTask(mem.cpu, entities * (MODELS.length + 1)),
    completed: watch.completed,
    jobId: posted.jobId,
    events: countEvents(watch.events),
  };
}
