import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { EnrichmentJob } from "../../src/features/jobs/engine/enrichment-job";
import type { JobTaskMessage } from "../../src/features/jobs/integration-task/spec";
import { TEST_ADMIN_TOKEN, call, createKey, createOrg } from "../helpers/api";
import { balance } from "../helpers/enrichment";
import { waitForReceived } from "../helpers/webhook-receiver";
import { chargedCredits, deliverTasks, slowOrg, waitUntil } from "../jobs/helpers";
import { createHook, signatureHeaders } from "../webhooks/harness";

/**
 * Instaview's enrichment runs (../shared/reference/instaview.md): `POST /sourcing/enrich` and
 * `GET /sourcing/enrich/{requestId}/results`, over a Dossier batch job priced per profile.
 */
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const startRun = (key: string, body: unknown) => call("POST", "/sourcing/enrich", { headers: bearer(key), body });
const results = (key: string, requestId: string) => call("GET", `/sourcing/enrich/${requestId}/results`, { headers: bearer(key) });

/** An organization whose deep-enrichment group runs two integrations against the `slow` fake (behaviour by name). */
async function instaviewOrg(opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number } = {}) {
  const org = await slowOrg(opts);
  const group = await call("POST", "/v1/enrichment-groups", {
    key: org.adminKey,
    body: { slug: "deep-enrichment", name: "Deep enrichment", integrationCodes: ["http_lookup", "http_lookup_alt"] },
  });
  if (group.status !== 201) throw new Error(`group: ${group.status} ${group.text}`);
  return org;
}

/** A candidate stored with an externalId (Instaview's profile id); a name with "fail500" or "hang" picks the fake's behaviour. */
async function profile(key: string, attributes: Record<string, unknown>) {
  const externalId = `profile_${crypto.randomUUID().slice(0, 8)}`;
  const res = await call("POST", "/v1/entities", { key, body: { type: "person", externalId, attributes } });
  if (res.status !== 201) throw new Error(`profile: ${res.status} ${res.text}`);
  return { externalId, id: res.json.id as string };
}


async function finished(key: string, requestId: string, deadlineMs = 20_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const res = await results(key, requestId);
    if (res.status !== 202 || Date.now() > until) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("POST /sourcing/enrich and GET /sourcing/enrich/{requestId}/results (Instaview)", () => {
  it("accepts the documented request (202) and answers per-profile results: enriched ones billed 1 credit each whatever integrations ran, failures isolated and free", async () => {
    const org = await instaviewOrg();
    const hook = await createHook(org.adminKey, {}, ["ENRICH_COMPLETED"]);
    const ok = await profile(org.adminKey, { fullName: "Jane Smith", title: "Senior Software Engineer", companyName: "Stripe", email: "jane@example.com" });
    const bad = await profile(org.adminKey, { fullName: "Bob fail500" });
    const res = await startRun(org.adminKey, { profileIds: [ok.externalId, bad.externalId], webhookId: hook.id });
    expect(res.status).toBe(202);
    expect(Object.keys(res.json)).toEqual(["success", "requestId", "status", "message", "createdAt", "webhookId"]);
    expect(res.json).toMatchObject({ success: true, status: "processing", message: "Enrichment run accepted and queued for processing.", webhookId: hook.id });
    expect(res.json.requestId).toMatch(/^enr_[0-9a-f-]{36}$/);

    const done = await finished(org.adminKey, res.json.requestId);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ success: true, requestId: res.json.requestId, status: "completed", createdAt: res.json.createdAt, enrichedCount: 1, failureCount: 1, creditsConsumed: 1 });
    expect(Date.parse(done.json.completedAt)).not.toBeNaN();
    const [first, second] = done.json.data;
    expect(first).toMatchObject({
      profileId: ok.externalId,
      entityId: ok.id,
      success: true,
      candidate: {
        profileId: ok.externalId,
        name: "Jane Smith",
        headline: "Senior Software Engineer",
        currentCompany: "Stripe",
        currentRole: "Senior Software Engineer",
        emails: ["jane@example.com"],
        matchScore: null,
        skills: [],
      },
    });
    expect(second).toMatchObject({ profileId: bad.externalId, success: false, error: expect.stringMatching(/.+/) });
    expect(second.candidate).toBeUndefined();

    // Both integrations succeeded for the first profile: still exactly one credit. The ledger agrees.
    const jobId = res.json.requestId.slice(4);
    expect(await chargedCredits(org.orgId, jobId)).toBe(1);
    const records = await env.DB.prepare("SELECT status, credits FROM enrichments WHERE job_id = ? ORDER BY status").bind(jobId).all<{ status: string; credits: number }>();
    expect(records.results.filter((r) => r.status === "succeeded")).toHaveLength(2);
    expect(records.results.reduce((sum, r) => sum + r.credits, 0)).toBe(1);
  });

  it("publishes ENRICH_COMPLETED, signed like every Dossier webhook, to the run's webhook; a run whose every profile fails is ENRICH_FAILED", async () => {
    const org = await instaviewOrg();
    const hook = await createHook(org.adminKey, {}, ["ENRICH_COMPLETED", "ENRICH_FAILED"]);
    const ok = await profile(org.adminKey, { fullName: "Grace Hopper" });
    const run = await startRun(org.adminKey, { profileIds: [ok.externalId], webhookId: hook.id });
    await finished(org.adminKey, run.json.requestId);
    const [received] = await waitForReceived(hook.bin);
    if (!received) throw new Error("no ENRICH_COMPLETED delivery");
    const payload = new Webhook(hook.secret).verify(received.body, signatureHeaders(received.headers)) as { type: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({
      type: "ENRICH_COMPLETED",
      data: { requestId: run.json.requestId, status: "completed", enrichedCount: 1, failureCount: 0, creditsConsumed: 1, webhookId: hook.id },
    });

    const bad = await profile(org.adminKey, { fullName: "Ann fail500" });
    const failing = await startRun(org.adminKey, { profileIds: [bad.externalId] });
    const over = await finished(org.adminKey, failing.json.requestId);
    expect(over.json).toMatchObject({ status: "failed", enrichedCount: 0, failureCount: 1, creditsConsumed: 0 });
    const deliveries = await waitForReceived(hook.bin, 2);
    const types = deliveries.map((d) => (JSON.parse(d.body) as { type: string; data: { requestId: string } }));
    expect(types[1]).toMatchObject({ type: "ENRICH_FAILED", data: { requestId: failing.json.requestId, status: "failed" } });
  });

  it("while the run is in progress: 202 processing; one task per profile, 10 s each; a profile that hangs fails alone and the others are enriched", async () => {
    const org = await instaviewOrg();
    const slow = await profile(org.adminKey, { fullName: "Carl hang" });
    const fast = await profile(org.adminKey, { fullName: "Dana Fast" });
    const run = await startRun(org.adminKey, { profileIds: [slow.externalId, fast.externalId] });
    const early = await results(org.adminKey, run.json.requestId);
    expect(early.status).toBe(202);
    expect(early.json).toEqual({
      success: true,
      requestId: run.json.requestId,
      status: "processing",
      message: "Enrichment is in progress. Please poll again in a few seconds.",
      createdAt: run.json.createdAt,
    });
    // The job behind the run: priced per profile, each profile one task with a 10 s budget for all its integrations.
    const stub = env.ENRICHMENT_JOB.get(env.ENRICHMENT_JOB.idFromName(run.json.requestId.slice(4)));
    const stored = await runInDurableObject(stub, (_instance: EnrichmentJob, state) => ({
      spec: JSON.parse(state.storage.sql.exec<{ spec: string }>("SELECT spec FROM job").one().spec),
      tasks: state.storage.sql.exec<{ codes: string }>("SELECT codes FROM tasks ORDER BY entity_idx").toArray(),
    }));
    expect(stored.spec).toMatchObject({ perEntityTimeoutMs: 10_000, entityCredits: 1, origin: "instaview" });
    expect(stored.tasks.map((t) => JSON.parse(t.codes))).toEqual([["http_lookup", "http_lookup_alt"], ["http_lookup", "http_lookup_alt"]]);
    const done = await finished(org.adminKey, run.json.requestId, 25_000);
    expect(done.json).toMatchObject({ status: "completed", enrichedCount: 1, failureCount: 1, creditsConsumed: 1 });
    expect(done.json.data[0]).toMatchObject({ profileId: slow.externalId, success: false });
    expect(done.json.data[1]).toMatchObject({ profileId: fast.externalId, success: true });
  }, 40_000);

  it("one credit per enriched profile exactly once: its task delivered again while the run goes on and after it ended charges nothing more", async () => {
    const org = await instaviewOrg();
    const slow = await profile(org.adminKey, { fullName: "Kim hang" });
    const fast = await profile(org.adminKey, { fullName: "Lou Once" });
    const run = await startRun(org.adminKey, { profileIds: [fast.externalId, slow.externalId] });
    const jobId = run.json.requestId.slice(4);
    const stub = env.ENRICHMENT_JOB.get(env.ENRICHMENT_JOB.idFromName(jobId));
    const stored = () =>
      runInDurableObject(stub, (_instance: EnrichmentJob, state) => ({
        spec: JSON.parse(state.storage.sql.exec<{ spec: string }>("SELECT spec FROM job").one().spec),
        tasks: state.storage.sql.exec<{ id: string; entity_idx: number; codes: string; dispatch: number; status: string }>("SELECT * FROM tasks ORDER BY entity_idx").toArray(),
      }));
    // The task messages the queue carried, rebuilt from the object: what an at-least-once queue delivers again.
    const redeliveries = async () => {
      const { spec, tasks } = await stored();
      return tasks.map((t): JobTaskMessage => ({
        kind: "job_task",
        jobId,
        taskId: t.id,
        dispatch: t.dispatch,
        orgId: org.orgId,
        actorKeyId: spec.actorKeyId,
        entityId: t.entity_idx === 0 ? fast.id : slow.id,
        entityIndex: t.entity_idx,
        integrationCodes: JSON.parse(t.codes),
        strategy: spec.strategy,
        params: spec.params,
        forceRefresh: spec.forceRefresh,
        entityCredits: spec.entityCredits,
      }));
    };
    await waitUntil(stored, (s) => s.tasks[0]?.status === "done");
    const [fastTask] = await redeliveries();
    if (!fastTask) throw new Error("no task");
    await deliverTasks([fastTask, fastTask]);
    expect(await chargedCredits(org.orgId, jobId)).toBe(1);

    const done = await finished(org.adminKey, run.json.requestId, 25_000);
    expect(done.json).toMatchObject({ status: "completed", enrichedCount: 1, failureCount: 1, creditsConsumed: 1 });
    await deliverTasks(await redeliveries());
    expect(await chargedCredits(org.orgId, jobId)).toBe(1);
    expect((await results(org.adminKey, run.json.requestId)).json).toMatchObject({ enrichedCount: 1, failureCount: 1, creditsConsumed: 1 });
    expect(await balance(org.adminKey)).toMatchObject({ reservedCredits: 0 });
  }, 40_000);

  it("prepaid: 402 before anything starts when the balance is below one credit per profile; otherwise only enriched profiles are billed", async () => {
    const org = await instaviewOrg({ billingMode: "prepaid", initialCredits: 1 });
    const a = await profile(org.adminKey, { fullName: "Eve Able" });
    const b = await profile(org.adminKey, { fullName: "Fay fail500" });
    const refused = await startRun(org.adminKey, { profileIds: [a.externalId, b.externalId] });
    expect(refused.status).toBe(402);
    expect(refused.json.error.code).toBe("INSUFFICIENT_CREDITS");
    const jobs = await call("GET", "/v1/jobs", { key: org.adminKey });
    expect(jobs.json.data).toHaveLength(0);
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 1, reservedCredits: 0 });

    await call("POST", `/v1/admin/organizations/${org.orgId}/credits`, { headers: bearer(TEST_ADMIN_TOKEN), body: { amount: 1 } });
    const run = await startRun(org.adminKey, { profileIds: [a.externalId, b.externalId] });
    expect(run.status).toBe(202);
    expect((await finished(org.adminKey, run.json.requestId)).json).toMatchObject({ enrichedCount: 1, creditsConsumed: 1 });
    expect(await balance(org.adminKey)).toMatchObject({ creditBalance: 1, reservedCredits: 0 });
  });

  it("profile ids are externalIds or entity ids; the deep-enrichment group decides the integrations (built-in defaults without it)", async () => {
    const org = await instaviewOrg();
    const byId = await profile(org.adminKey, { fullName: "Gil Byid" });
    const run = await startRun(org.adminKey, { profileIds: [byId.id] });
    expect(run.status).toBe(202);
    const done = await finished(org.adminKey, run.json.requestId);
    expect(done.json.data[0]).toMatchObject({ profileId: byId.externalId, entityId: byId.id, success: true });
    const job = await call("GET", `/v1/jobs/${run.json.requestId.slice(4)}`, { key: org.adminKey });
    expect(job.json.integrationCodes).toEqual(["http_lookup", "http_lookup_alt"]);

    const plain = await createOrg();
    const someone = await profile(plain.adminKey, { fullName: "Hal Default" });
    const defaults = await startRun(plain.adminKey, { profileIds: [someone.externalId] });
    const defaultJob = await call("GET", `/v1/jobs/${defaults.json.requestId.slice(4)}`, { key: plain.adminKey });
    expect(defaultJob.json.integrationCodes).toEqual(["web_profile", "email_discover"]);
  });

  it("422 when the webhook is not the organization's or subscribes to neither ENRICH_COMPLETED nor ENRICH_FAILED", async () => {
    const org = await instaviewOrg();
    const p = await profile(org.adminKey, { fullName: "Ida Hook" });
    const jobsOnly = await createHook(org.adminKey, {}, ["job.completed"]);
    const failedOnly = await createHook(org.adminKey, {}, ["ENRICH_FAILED"]);
    const other = await createOrg();
    const foreign = await createHook(other.adminKey, {}, ["ENRICH_COMPLETED"]);
    for (const webhookId of [jobsOnly.id, foreign.id, crypto.randomUUID()]) {
      const res = await startRun(org.adminKey, { profileIds: [p.externalId], webhookId });
      expect(res.status).toBe(422);
      expect(res.json.error).toMatchObject({ code: "UNPROCESSABLE", details: [{ path: "webhookId" }] });
    }
    const foreignRes = await startRun(org.adminKey, { profileIds: [p.externalId], webhookId: foreign.id });
    const unknownRes = await startRun(org.adminKey, { profileIds: [p.externalId], webhookId: crypto.randomUUID() });
    expect(foreignRes.text).toBe(unknownRes.text);
    expect((await startRun(org.adminKey, { profileIds: [p.externalId], webhookId: failedOnly.id })).status).toBe(202);
  });

  it("400 for 0 or more than 10 profiles, an unknown profile (named by its index) or field; 401; 403 for a viewer's POST; 404 for an unknown or another organization's run", async () => {
    const org = await instaviewOrg();
    const p = await profile(org.adminKey, { fullName: "Jo Valid" });
    const cases: [unknown, string][] = [
      [{ profileIds: [] }, "profileIds"],
      [{ profileIds: Array.from({ length: 11 }, (_, i) => `p${i}`) }, "profileIds"],
      [{ profileIds: [p.externalId, "profile_nobody"] }, "profileIds.1"],
      [{ profileIds: [p.externalId], extra: true }, "extra"],
      [{}, "profileIds"],
    ];
    for (const [body, path] of cases) {
      const res = await startRun(org.adminKey, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("VALIDATION_ERROR");
      expect(res.json.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await startRun("garbage", { profileIds: [p.externalId] })).status).toBe(401);
    const viewer = await createKey(org.adminKey, "viewer");
    expect((await startRun(viewer.key, { profileIds: [p.externalId] })).status).toBe(403);

    const run = await startRun(org.adminKey, { profileIds: [p.externalId] });
    await finished(org.adminKey, run.json.requestId);
    expect((await results(viewer.key, run.json.requestId)).status).toBe(200);
    expect((await results("garbage", run.json.requestId)).status).toBe(401);
    const other = await createOrg();
    const foreign = await results(other.adminKey, run.json.requestId);
    const unknown = await results(other.adminKey, `enr_${crypto.randomUUID()}`);
    const malformed = await results(other.adminKey, "enr_nope");
    for (const res of [foreign, unknown, malformed]) expect(res.status).toBe(404);
    expect(foreign.text).toBe(unknown.text);
    expect(malformed.text).toBe(unknown.text);
  });
});
