import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/platform/db/client";
import type { EnrichmentResult } from "../../src/features/enrichment/result";
import { readSettings } from "../../src/platform/env";
import type { JobTaskMessage } from "../../src/features/jobs/integration-task/spec";
import { recordTaskResults } from "../../src/features/jobs/integration-task/record-results";
import { type FinishedTask, TaskReporter } from "../../src/features/jobs/integration-task/task-reporter";
import { Semaphore } from "../../src/platform/lib/semaphore";
import type { ProviderCallContext } from "../../src/platform/queue-context";
import { call } from "../helpers/api";
import { lookupOrg, scenario } from "../helpers/enrichment";
import { chargedCredits, orgCredits, people, startCapturedJob, waitForJob } from "./helpers";

const context = (): ProviderCallContext => {
  const settings = readSettings(env);
  return { env, settings, db: createDb(env.DB), connections: new Semaphore(settings.MAX_CONNECTIONS_PER_INVOCATION) };
};

/** What a provider run of `code` would hand the reporter: a title at that integration's confidence. */
function ran(code: string, title: string, confidence: number): EnrichmentResult {
  return {
    success: true,
    status: "succeeded",
    enrichmentId: crypto.randomUUID(),
    integrationCode: code,
    integrationName: code,
    cached: false,
    executionTime: 5,
    costCents: 1,
    credits: 1,
    attempts: 1,
    fields: { title },
    result: { fieldsEnriched: ["title"], dataQuality: { completeness: 1, confidence }, summary: title, enrichmentData: { title } },
    createdAt: new Date().toISOString(),
  };
}

function finishedTasks(messages: JobTaskMessage[]) {
  const batch = createMessageBatch(
    "provider-calls",
    messages.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const tasks = batch.messages.map((message): FinishedTask => {
    const body = message.body as JobTaskMessage;
    const code = body.integrationCodes[0] ?? "";
    const result = code === "http_lookup_alt" ? ran(code, `alt title ${body.entityIndex}`, 0.9) : ran(code, `lookup title ${body.entityIndex}`, 0.8);
    return { message, body, results: [result], record: true, entityEnriched: {} };
  });
  return { batch, tasks };
}

async function settle(tasks: FinishedTask[]) {
  const reporter = new TaskReporter(context(), tasks.length);
  for (const task of tasks) reporter.finished(task);
  await reporter.done();
}

describe("tasks that finish together", () => {
  it("are recorded in one go: the confidence rule across integrations, one audit row per entity, one charge per success", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 20 });
    const { spec, captured } = await startCapturedJob(org, {
      entities: people(["A", "B", "C"]),
      integrationCodes: ["http_lookup", "http_lookup_alt"],
      params: { scenario: scenario() },
    });
    expect(captured).toHaveLength(6);
    // The more confident integration's tasks first, so a last-writer-wins store would keep the weaker title.
    const ordered = [...captured].sort((a, b) => (b.integrationCodes[0] ?? "").localeCompare(a.integrationCodes[0] ?? ""));
    const { batch, tasks } = finishedTasks(ordered);
    const ctx = createExecutionContext();
    await settle(tasks);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(6);

    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job).toMatchObject({ status: "completed", counts: { succeeded: 3, failed: 0 }, credits: 6 });
    for (const entityId of new Set(captured.map((m) => m.entityId))) {
      const entity = await call("GET", `/v1/entities/${entityId}`, { key: org.adminKey });
      expect(entity.json.enriched.title).toMatchObject({ source: "http_lookup_alt", confidence: 0.9 });
      const audit = await call("GET", `/v1/audit-log?action=entity.enriched&targetId=${entityId}`, { key: org.adminKey });
      expect(audit.json.data).toHaveLength(1);
      expect(audit.json.data[0].data.enrichments.map((e: { code: string }) => e.code).sort()).toEqual(["http_lookup", "http_lookup_alt"]);
    }
    expect(await chargedCredits(org.orgId, spec.jobId)).toBe(6);

    // The same tasks delivered and run again (fresh record ids): nothing new recorded or charged.
    const again = finishedTasks(captured);
    await settle(again.tasks);
    expect((await getQueueResult(again.batch, createExecutionContext())).explicitAcks).toHaveLength(6);
    const records = await env.DB.prepare("SELECT count(*) AS n FROM enrichments WHERE job_id = ?").bind(spec.jobId).first<{ n: number }>();
    expect(records?.n).toBe(6);
    expect(await chargedCredits(org.orgId, spec.jobId)).toBe(6);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 14, reserved: 0 });
  });

  it("hands every message back for a retry when D1 cannot record them, and reports nothing", async () => {
    const org = await lookupOrg();
    const { spec, stub, captured } = await startCapturedJob(org, { entities: people(["A"]), integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } });
    const { batch, tasks } = finishedTasks(captured);
    // One result D1 refuses (a record needs created_at): the valid task lands with it or not at all, and both come back.
    const [valid, invalid] = tasks;
    if (!valid || !invalid) throw new Error("expected two tasks");
    const refused = { ...invalid, results: invalid.results.map((r) => ({ ...r, createdAt: null as unknown as string })) };
    await settle([valid, refused]);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.retryMessages).toHaveLength(2);
    expect(result.explicitAcks).toHaveLength(0);
    expect((await stub.snapshot())?.counts).toMatchObject({ succeeded: 0, failed: 0 });
    const records = await env.DB.prepare("SELECT count(*) AS n FROM enrichments WHERE job_id = ?").bind(spec.jobId).first<{ n: number }>();
    expect(records?.n).toBe(0);
    await stub.cancel(null);
  });
});

describe("task deadlines", () => {
  it("start at each task's own claim, so a task that waited in the queue still gets its full time", async () => {
    const org = await lookupOrg();
    const { stub, captured } = await startCapturedJob(
      org,
      { entities: people(["A"]), integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } },
      (spec) => ({ ...spec, perEntityTimeoutMs: 300 }),
    );
    const [first, second] = captured;
    if (!first || !second) throw new Error("expected two tasks");
    const [a] = await stub.claim([{ taskId: first.taskId, dispatch: first.dispatch, redelivery: false }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const claimedAt = Date.now();
    const [b] = await stub.claim([{ taskId: second.taskId, dispatch: second.dispatch, redelivery: false }]);
    if (!a?.run || !b?.run) throw new Error("both tasks should run");
    expect(a.deadline).toBeLessThan(claimedAt);
    expect(b.deadline).toBeGreaterThanOrEqual(claimedAt + 300);
    await stub.cancel(null);
  });
});

describe("entity fields written by tasks recorded apart", () => {
  it("keep the more confident value even when the later run's snapshot predates it", async () => {
    const org = await lookupOrg();
    const { spec, captured, stub } = await startCapturedJob(org, { entities: people(["A"]), integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } });
    const [first] = captured;
    if (!first) throw new Error("no task");
    const ref = { orgId: org.orgId, jobId: spec.jobId, entityId: first.entityId, entityIndex: 0, actorKeyId: null };
    const db = createDb(env.DB);
    // Both runs started from an empty entity; the more confident one lands first.
    await recordTaskResults(db, ref, {}, [ran("http_lookup_alt", "confident title", 0.9)]);
    await recordTaskResults(db, ref, {}, [{ ...ran("http_lookup", "weaker title", 0.8), fields: { title: "weaker title", seniority: "senior" } }]);
    const entity = await call("GET", `/v1/entities/${first.entityId}`, { key: org.adminKey });
    expect(entity.json.enriched.title).toMatchObject({ value: "confident title", source: "http_lookup_alt" });
    // A field nobody else wrote is still taken, and the same source may refresh its own value.
    expect(entity.json.enriched.seniority).toMatchObject({ value: "senior", source: "http_lookup" });
    await recordTaskResults(db, { ...ref, entityIndex: 1 }, {}, [ran("http_lookup_alt", "refreshed title", 0.5)]);
    const again = await call("GET", `/v1/entities/${first.entityId}`, { key: org.adminKey });
    expect(again.json.enriched.title).toMatchObject({ value: "refreshed title", source: "http_lookup_alt", confidence: 0.5 });
    await stub.cancel(null);
  });
});
