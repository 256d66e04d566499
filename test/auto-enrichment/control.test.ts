import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { call, createKey } from "../helpers/api";
import { receiverUrl } from "../helpers/webhook-receiver";
import { autoOrg, chargesOf, createPerson, entityOf, finishedJobs, jobsOf, personConfig, providerStats, putConfig, until } from "./support";

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Runs the Worker's real queue handler on hand-made `auto-enrichment` messages. */
async function deliver(messages: { orgId: string; jobId: string }[], attempts = 1, queue = "auto-enrichment") {
  const batch = createMessageBatch(
    queue,
    messages.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function cron(at = Date.now()) {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: at, cron: "*/5 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const db = (sql: string, ...params: unknown[]) => env.DB.prepare(sql).bind(...params).run();

/** A job whose message the test holds: parked while paused, then queued again behind the API's back (no message sent). */
async function heldJob(name: string) {
  const org = await autoOrg();
  await putConfig(org.adminKey, personConfig());
  await call("POST", "/v1/auto-enrichment/pause", { key: org.adminKey });
  const id = await createPerson(org.adminKey, { fullName: name });
  const [job] = await until(() => jobsOf(org.adminKey, `entityId=${id}`), (j) => j[0]?.status === "paused", "a parked job");
  await db("UPDATE auto_enrichment_state SET paused = 0 WHERE org_id = ?", org.orgId);
  await db("UPDATE auto_enrichment_jobs SET status = 'queued' WHERE id = ?", job.id);
  return { org, id, jobId: job.id as string };
}

describe("pause and resume", () => {
  it("makes no provider call while paused, keeps the work, and runs it in arrival order on resume (both idempotent)", async () => {
    const org = await autoOrg();
    const member = await createKey(org.adminKey, "member");
    await putConfig(org.adminKey, personConfig());
    const hook = await call("POST", "/v1/webhooks", { key: org.adminKey, body: { url: receiverUrl().url, events: ["auto_enrichment.paused", "auto_enrichment.resumed"] } });
    expect((await call("POST", "/v1/auto-enrichment/pause", { key: member.key })).status).toBe(403);
    const paused = await call("POST", "/v1/auto-enrichment/pause", { key: org.adminKey, body: { reason: "provider outage" } });
    expect(paused.json).toMatchObject({ status: "paused", paused: true, reason: "provider outage", pausedByKeyId: org.adminKeyId });
    const twice = await call("POST", "/v1/auto-enrichment/pause", { key: org.adminKey });
    expect(twice.json).toMatchObject({ status: "paused", pausedAt: paused.json.pausedAt, reason: "provider outage" });
    const ids: string[] = [];
    for (const name of ["First Waiting", "Second Waiting", "Third Waiting"]) ids.push(await createPerson(org.adminKey, { fullName: name }));
    await until(() => jobsOf(org.adminKey), (j) => j.length === 3 && j.every((x) => x.status === "paused"), "three parked jobs");
    await settle(500);
    expect((await providerStats(org.scenario)).calls).toBe(0);
    const state = await call("GET", "/v1/auto-enrichment/stats", { key: org.adminKey });
    expect(state.json.pipeline).toMatchObject({ status: "paused", backlog: { paused: 3 } });

    const resumed = await call("POST", "/v1/auto-enrichment/resume", { key: org.adminKey });
    expect(resumed.json).toMatchObject({ status: "active", paused: false });
    const jobs = await until(() => jobsOf(org.adminKey), (j) => j.every((x) => x.status === "succeeded"), "three runs");
    const byStart = [...jobs].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.createdAt.localeCompare(b.createdAt));
    expect(byStart.map((j) => j.entityId)).toEqual(ids);
    expect((await providerStats(org.scenario)).calls).toBe(3);
    expect((await call("POST", "/v1/auto-enrichment/resume", { key: org.adminKey })).json.status).toBe("active");
    const audit = await call("GET", "/v1/audit-log?targetType=auto_enrichment_pipeline", { key: org.adminKey });
    expect(audit.json.data.map((a: { action: string }) => a.action)).toEqual(["auto_enrichment.resumed", "auto_enrichment.paused"]);
    // Each change fires once; repeating it fires nothing.
    const events = await until(
      async () => (await call("GET", `/v1/webhooks/${hook.json.id}/deliveries`, { key: org.adminKey })).json.data as { eventType: string }[],
      (d) => d.length >= 2,
      "paused and resumed",
    );
    expect(events.map((d) => d.eventType).sort()).toEqual(["auto_enrichment.paused", "auto_enrichment.resumed"]);
  });
});

describe("retry", () => {
  it("reruns only what failed, charging only new successes; 409 when nothing is left to retry", async () => {
    const org = await autoOrg({ altOptions: { fail: 3 } });
    await putConfig(org.adminKey, personConfig({ integrationCodes: ["http_lookup", "http_lookup_alt"] }));
    const id = await createPerson(org.adminKey, { fullName: "Re Try" });
    const [first] = await finishedJobs(org.adminKey, id);
    expect(first.status).toBe("partial");
    expect(first.results.map((r: { status: string }) => r.status)).toEqual(["succeeded", "failed"]);
    expect(first.creditsCharged).toBe(1);
    const retried = await call("POST", `/v1/auto-enrichment/jobs/${first.id}/retry`, { key: org.adminKey });
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ trigger: "retry", retryOf: first.id, integrationCodes: ["http_lookup_alt"], status: "queued" });
    const [second] = await finishedJobs(org.adminKey, id, 2);
    expect(second).toMatchObject({ id: retried.json.id, status: "succeeded", creditsCharged: 1 });
    expect(second.results.map((r: { integrationCode: string }) => r.integrationCode)).toEqual(["http_lookup_alt"]);
    expect(await chargesOf(org.orgId)).toHaveLength(2);
    expect((await providerStats(org.scenario)).calls).toBe(1);
    const again = await call("POST", `/v1/auto-enrichment/jobs/${first.id}/retry`, { key: org.adminKey });
    expect(again.status).toBe(409);
    const nothing = await call("POST", `/v1/auto-enrichment/jobs/${second.id}/retry`, { key: org.adminKey });
    expect(nothing.status).toBe(409);
    expect(nothing.json.error.message).toMatch(/Nothing to retry/);
    expect((await call("GET", `/v1/auto-enrichment/jobs/${first.id}`, { key: org.adminKey })).json.retriedBy).toBe(second.id);
  });

  it("runs a manual job for entities of the organization only", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { triggers: { onCreate: false } }));
    const id = await createPerson(org.adminKey, { fullName: "Man Ual" });
    const other = await autoOrg();
    const foreign = await createPerson(other.adminKey, { fullName: "Not Yours" });
    const bad = await call("POST", "/v1/auto-enrichment/jobs", { key: org.adminKey, body: { entityIds: [id, foreign] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([{ path: "entityIds.1", message: "No such entity in this organization" }]);
    const ok = await call("POST", "/v1/auto-enrichment/jobs", { key: org.adminKey, body: { entityIds: [id] } });
    expect(ok.status).toBe(202);
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job).toMatchObject({ id: ok.json.jobIds[0], trigger: "manual", status: "succeeded" });
  });
});

describe("exactly once under redelivery", () => {
  it("two deliveries of one job at once: one run, one provider call, one charge", async () => {
    const { org, jobId } = await heldJob("Dou Ble");
    const result = await deliver([
      { orgId: org.orgId, jobId },
      { orgId: org.orgId, jobId },
    ]);
    expect(result.explicitAcks).toHaveLength(2);
    const job = (await call("GET", `/v1/auto-enrichment/jobs/${jobId}`, { key: org.adminKey })).json;
    expect(job).toMatchObject({ status: "succeeded", creditsCharged: 1, attempts: 1 });
    expect((await providerStats(org.scenario)).calls).toBe(1);
    expect(await chargesOf(org.orgId)).toHaveLength(1);
  });

  it("a redelivery after the settlement records and charges nothing and republishes the same event ids", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig());
    const hook = await call("POST", "/v1/webhooks", { key: org.adminKey, body: { url: receiverUrl().url, events: ["auto_enrichment.completed", "enrichment.completed"] } });
    const id = await createPerson(org.adminKey, { fullName: "Red Elivery" });
    const [job] = await finishedJobs(org.adminKey, id);
    const count = async () => (await call("GET", `/v1/webhooks/${hook.json.id}/deliveries`, { key: org.adminKey })).json.data.length as number;
    await until(count, (n) => n === 2, "two deliveries");
    // As if the consumer died after its batch and before publishing: the message comes again.
    await db("UPDATE auto_enrichment_jobs SET published_at = NULL WHERE id = ?", job.id);
    await deliver([{ orgId: org.orgId, jobId: job.id }], 2);
    const after = (await call("GET", `/v1/auto-enrichment/jobs/${job.id}`, { key: org.adminKey })).json;
    expect(after).toMatchObject({ status: "succeeded", creditsCharged: 1, attempts: 1 });
    const { results } = await env.DB.prepare("SELECT published_at FROM auto_enrichment_jobs WHERE id = ?").bind(job.id).all<{ published_at: string | null }>();
    expect(results[0]?.published_at).toBeTruthy();
    await settle();
    expect(await count()).toBe(2);
    expect(await chargesOf(org.orgId)).toHaveLength(1);
    const records = await env.DB.prepare("SELECT count(*) AS n FROM enrichments WHERE job_id = ?").bind(job.id).first<{ n: number }>();
    expect(records?.n).toBe(1);
  });

  it("a run whose lease expired gives back its holds and runs again from the cron; a lost message is sent again", async () => {
    const { org, jobId } = await heldJob("Lea Sed");
    await putConfig(org.adminKey, personConfig({}, { budget: { dailyCredits: 5 } }));
    // A run that claimed the job and held a credit, then died.
    const past = new Date(Date.now() - 60_000).toISOString();
    const day = (await call("GET", "/v1/auto-enrichment/credits", { key: org.adminKey })).json.budget.daily.periodKey;
    await db("INSERT INTO auto_enrichment_budget_windows (org_id, period, period_key, reserved, spent, updated_at) VALUES (?, 'day', ?, 1, 0, ?)", org.orgId, day, past);
    await db(
      "UPDATE auto_enrichment_jobs SET status = 'running', run_token = 'dead', lease_until = ?, attempts = 1, budget_reserved = 1, budget_day = ? WHERE id = ?",
      past,
      day,
      jobId,
    );
    await cron();
    const job = await until(async () => (await call("GET", `/v1/auto-enrichment/jobs/${jobId}`, { key: org.adminKey })).json, (j) => j.status === "succeeded", "the rerun");
    expect(job).toMatchObject({ attempts: 2, creditsCharged: 1 });
    const credits = (await call("GET", "/v1/auto-enrichment/credits", { key: org.adminKey })).json;
    expect(credits.budget.daily).toMatchObject({ spent: 1, reserved: 0 });

    const lost = await heldJob("Lo St");
    await db("UPDATE auto_enrichment_jobs SET dispatched_at = ? WHERE id = ?", new Date(Date.now() - 10 * 60_000).toISOString(), lost.jobId);
    await cron();
    const sent = await until(async () => (await call("GET", `/v1/auto-enrichment/jobs/${lost.jobId}`, { key: lost.org.adminKey })).json, (j) => j.status === "succeeded", "the lost job");
    expect(sent.creditsCharged).toBe(1);
  });
});

describe("dead letters", () => {
  it("fails a job whose message failed every delivery, releasing what its run held", async () => {
    const queued = await heldJob("Dead Queued");
    await deliver([{ orgId: queued.org.orgId, jobId: queued.jobId }], 1, "auto-enrichment-dlq");
    const failed = (await call("GET", `/v1/auto-enrichment/jobs/${queued.jobId}`, { key: queued.org.adminKey })).json;
    expect(failed).toMatchObject({ status: "failed", error: { code: "DEAD_LETTERED" } });

    const running = await heldJob("Dead Running");
    const { org, jobId } = running;
    await putConfig(org.adminKey, personConfig({}, { budget: { dailyCredits: 5 } }));
    const day = (await call("GET", "/v1/auto-enrichment/credits", { key: org.adminKey })).json.budget.daily.periodKey;
    await db("INSERT INTO auto_enrichment_budget_windows (org_id, period, period_key, reserved, spent, updated_at) VALUES (?, 'day', ?, 1, 0, ?)", org.orgId, day, new Date().toISOString());
    await db("UPDATE auto_enrichment_jobs SET status = 'running', run_token = 't', budget_reserved = 1, budget_day = ? WHERE id = ?", day, jobId);
    const result = await deliver([{ orgId: org.orgId, jobId }], 1, "auto-enrichment-dlq");
    expect(result.explicitAcks).toHaveLength(1);
    expect((await call("GET", `/v1/auto-enrichment/jobs/${jobId}`, { key: org.adminKey })).json).toMatchObject({ status: "failed", error: { code: "DEAD_LETTERED" } });
    expect((await call("GET", "/v1/auto-enrichment/credits", { key: org.adminKey })).json.budget.daily).toMatchObject({ reserved: 0, spent: 0 });
    expect((await providerStats(org.scenario)).calls).toBe(0);
  });
});

describe("staleness", () => {
  it("the cron refreshes entities whose last run is older than refreshAfterDays, at most maxEntitiesPerRun", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { triggers: { staleness: { enabled: true, refreshAfterDays: 1, maxEntitiesPerRun: 2 } } }));
    const ids: string[] = [];
    for (const name of ["Old One", "Old Two", "Old Three"]) {
      const id = await createPerson(org.adminKey, { fullName: name });
      await finishedJobs(org.adminKey, id);
      ids.push(id);
    }
    const fresh = await createPerson(org.adminKey, { fullName: "Fresh One" });
    await finishedJobs(org.adminKey, fresh);
    const old = new Date(Date.now() - 2 * 86_400_000).toISOString();
    for (const id of ids) {
      await db("UPDATE entities SET created_at = ? WHERE id = ?", old, id);
      await db("UPDATE auto_enrichment_jobs SET created_at = ?, finished_at = ? WHERE entity_id = ?", old, old, id);
    }
    await cron();
    const stale = await until(() => jobsOf(org.adminKey, "trigger=stale"), (j) => j.length === 2 && j.every((x) => x.status === "succeeded"), "two stale runs");
    expect(new Set(stale.map((j) => j.entityId)).size).toBe(2);
    for (const j of stale) expect(ids).toContain(j.entityId);
    await cron();
    const all = await until(() => jobsOf(org.adminKey, "trigger=stale"), (j) => j.length === 3 && j.every((x) => x.status === "succeeded"), "the third");
    expect(new Set(all.map((j) => j.entityId))).toEqual(new Set(ids));
    // The same answer again is not a new value: the refresh reads the global cache, unchanged.
    expect(all[0].results[0]).toMatchObject({ cached: true, fieldsSkipped: [{ field: "title", reason: "unchanged" }, { field: "companyName", reason: "unchanged" }] });
    await cron();
    await settle();
    expect(await jobsOf(org.adminKey, "trigger=stale")).toHaveLength(3);
    expect((await entityOf(org.adminKey, fresh)).attributes.title).toBe("Chief of Fresh One");
  });
});
