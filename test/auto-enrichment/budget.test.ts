import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { ledger } from "../helpers/enrichment";
import { receiverUrl } from "../helpers/webhook-receiver";
import { autoOrg, chargesOf, createPerson, finishedJobs, jobsOf, personConfig, providerStats, putConfig, until } from "./support";

const FINAL = ["succeeded", "partial", "failed", "skipped"];

async function createMany(key: string, names: string[]) {
  return Promise.all(names.map((fullName) => createPerson(key, { fullName })));
}

describe("budget", () => {
  it("15 entities created at once against a budget of 10: exactly 10 charged, 5 skipped BUDGET_EXHAUSTED, budget_exhausted once", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { budget: { dailyCredits: 10, timezone: "Europe/Paris" } }));
    const hook = await call("POST", "/v1/webhooks", { key: org.adminKey, body: { url: receiverUrl().url, events: ["auto_enrichment.budget_exhausted", "auto_enrichment.failed"] } });
    const ids = await createMany(org.adminKey, Array.from({ length: 15 }, (_, i) => `Budget Person ${i}`));
    const jobs = await until(() => jobsOf(org.adminKey), (j) => j.length === 15 && j.every((x) => FINAL.includes(x.status)), "15 finished jobs", 30_000);
    const succeeded = jobs.filter((j) => j.status === "succeeded");
    const skipped = jobs.filter((j) => j.status === "skipped");
    expect(succeeded).toHaveLength(10);
    expect(skipped).toHaveLength(5);
    for (const j of skipped) expect(j).toMatchObject({ skipReason: "BUDGET_EXHAUSTED", creditsCharged: 0, results: [] });
    expect(new Set(jobs.map((j) => j.entityId))).toEqual(new Set(ids));
    // Money: ten charges in the ledger, one per succeeded job, and no provider call for a skipped one.
    const charges = await chargesOf(org.orgId);
    expect(charges).toHaveLength(10);
    expect(new Set(charges.map((c) => c.job_id))).toEqual(new Set(succeeded.map((j) => j.id)));
    expect((await providerStats(org.scenario)).calls).toBe(10);
    const credits = await call("GET", "/v1/auto-enrichment/credits", { key: org.adminKey });
    expect(credits.json.budget.daily).toMatchObject({ cap: 10, spent: 10, reserved: 0, remaining: 0 });
    expect(credits.json.budget.daily.exhaustedAt).toBeTruthy();
    expect(credits.json.budget.timezone).toBe("Europe/Paris");
    expect(credits.json.budget.monthly).toMatchObject({ cap: null, spent: 10, remaining: null });
    // One budget_exhausted for the day, however many jobs found it full; one failed event per skipped job.
    const deliveries = await until(
      async () => (await call("GET", `/v1/webhooks/${hook.json.id}/deliveries?limit=100`, { key: org.adminKey })).json.data as { eventType: string }[],
      (d) => d.length >= 6,
      "deliveries",
    );
    await new Promise((r) => setTimeout(r, 300));
    const again = (await call("GET", `/v1/webhooks/${hook.json.id}/deliveries?limit=100`, { key: org.adminKey })).json.data as { eventType: string }[];
    expect(again.filter((d) => d.eventType === "auto_enrichment.budget_exhausted")).toHaveLength(1);
    expect(again.filter((d) => d.eventType === "auto_enrichment.failed")).toHaveLength(5);
    expect(deliveries.length).toBeGreaterThanOrEqual(6);
  });

  it("adds up to the ledger: credits by integration, trigger, day and entity type, and the stats", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({ integrationCodes: ["http_lookup", "http_lookup_alt"] }, { budget: { monthlyCredits: 1000 } }));
    const ids = await createMany(org.adminKey, ["Sum One", "Sum Two", "Sum Three nodata"]);
    for (const id of ids) await finishedJobs(org.adminKey, id);
    await call("POST", "/v1/enrichment-groups", { key: org.adminKey, body: { slug: "x", name: "x", integrationCodes: ["phone_normalize"] } });
    // A charge that is not auto-enrichment's: the sync API. It is in the ledger but not in auto-enrichment's totals.
    const sync = await call("POST", `/v1/entities/${ids[0]}/enrichments`, { key: org.adminKey, body: { integrationCodes: ["http_lookup"], forceRefresh: true } });
    expect(sync.status).toBe(200);
    const rows = await ledger(org.adminKey);
    const autoJobIds = new Set((await jobsOf(org.adminKey)).map((j) => j.id));
    const autoLedger = -rows.filter((r: any) => r.type === "charge" && autoJobIds.has(r.jobId)).reduce((s, r) => s + r.amount, 0);
    expect(autoLedger).toBe(4);
    for (const groupBy of ["integration", "trigger", "day", "entityType"]) {
      const res = await call("GET", `/v1/auto-enrichment/credits?groupBy=${groupBy}`, { key: org.adminKey });
      expect(res.status).toBe(200);
      expect(res.json.total.credits).toBe(autoLedger);
      expect(res.json.data.reduce((s: number, d: { credits: number }) => s + d.credits, 0)).toBe(autoLedger);
    }
    const byIntegration = (await call("GET", "/v1/auto-enrichment/credits?groupBy=integration", { key: org.adminKey })).json;
    expect(byIntegration.data).toEqual([
      { key: "http_lookup", credits: 2, costCents: 6, charges: 2 },
      { key: "http_lookup_alt", credits: 2, costCents: 6, charges: 2 },
    ]);
    expect((await call("GET", "/v1/auto-enrichment/credits?groupBy=trigger", { key: org.adminKey })).json.data).toEqual([{ key: "created", credits: 4, costCents: 12, charges: 4 }]);
    expect(byIntegration.budget.monthly).toMatchObject({ cap: 1000, spent: 4, remaining: 996 });

    const stats = await call("GET", "/v1/auto-enrichment/stats", { key: org.adminKey });
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({
      pipeline: { status: "active", paused: false, backlog: { queued: 0, running: 0, paused: 0 } },
      jobs: { total: 3, byStatus: { succeeded: 3 }, byTrigger: { created: 3 }, successRate: 1 },
      fields: { filled: 4, updated: 0, proposed: 0 },
      conflicts: { opened: 0, open: 0 },
      credits: { spent: 4 },
    });
    expect(stats.json.jobs.p50DurationMs).toBeGreaterThanOrEqual(0);
    expect(stats.json.jobs.p95DurationMs).toBeGreaterThanOrEqual(stats.json.jobs.p50DurationMs);
    expect(stats.json.integrations).toEqual([
      { integrationCode: "http_lookup", runs: 3, succeeded: 2, failed: 0, noData: 1, skipped: 0, cached: 0, credits: 2 },
      { integrationCode: "http_lookup_alt", runs: 3, succeeded: 2, failed: 0, noData: 1, skipped: 0, cached: 0, credits: 2 },
    ]);
    expect(stats.json.coverage).toEqual([
      { entityType: "person", field: "title", filled: 2, byEnrichment: 2, total: 3, ratio: 2 / 3 },
      { entityType: "person", field: "companyName", filled: 2, byEnrichment: 2, total: 3, ratio: 2 / 3 },
    ]);
    const empty = await call("GET", "/v1/auto-enrichment/stats?from=2020-01-01&to=2020-02-01", { key: org.adminKey });
    expect(empty.json.jobs).toMatchObject({ total: 0, successRate: null, p50DurationMs: null });
    const bad = await call("GET", "/v1/auto-enrichment/stats?from=2020-01-01&to=2022-01-01", { key: org.adminKey });
    expect(bad.status).toBe(400);
    expect((await call("GET", "/v1/auto-enrichment/credits?from=tomorrow", { key: org.adminKey })).status).toBe(400);
  });

  it("skips with INSUFFICIENT_CREDITS when a prepaid balance cannot cover a run, never overdrawing it", async () => {
    const org = await autoOrg({ billingMode: "prepaid", initialCredits: 3 });
    await putConfig(org.adminKey, personConfig());
    await createMany(org.adminKey, Array.from({ length: 6 }, (_, i) => `Prepaid ${i}`));
    const jobs = await until(() => jobsOf(org.adminKey), (j) => j.length === 6 && j.every((x) => FINAL.includes(x.status)), "6 finished jobs", 30_000);
    expect(jobs.filter((j) => j.status === "succeeded")).toHaveLength(3);
    expect(jobs.filter((j) => j.skipReason === "INSUFFICIENT_CREDITS")).toHaveLength(3);
    const balance = (await call("GET", "/v1/credits", { key: org.adminKey })).json;
    expect(balance).toMatchObject({ creditBalance: 0, reservedCredits: 0 });
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM credit_transactions WHERE org_id = ? AND type = 'charge'").bind(org.orgId).all<{ n: number }>();
    expect(results[0]?.n).toBe(3);
  });
});
