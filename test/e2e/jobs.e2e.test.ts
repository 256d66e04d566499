import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceivedWebhook } from "../fake-provider/webhooks";
import { startFakeProvider } from "../fake-provider/server";
import type { SseFrame } from "../jobs/sse-reader";
import { Client } from "./client";
import { DevServer, freePort, run } from "./dev-server";

/**
 * End to end against `wrangler dev`: real queues, Durable Objects, alarms and D1, a fake provider and a webhook
 * receiver on 127.0.0.1. Everything it starts runs in its own process group and is killed in afterAll.
 */
const ADMIN_TOKEN = `e2e-admin-${randomBytes(16).toString("hex")}`;
const dir = mkdtempSync(join(tmpdir(), "dossier-e2e-"));
let provider: Awaited<ReturnType<typeof startFakeProvider>>;
let receiver: Awaited<ReturnType<typeof startFakeProvider>>;
let server: DevServer;
const client = new Client(() => server.url);

let key = "";
let webhook = { id: "", secret: "", bin: "" };
let bigJobId = "";

const slowScenario = (delayMs: number) => `id=${randomUUID()};delay=${delayMs}`;
const entities = (names: string[]) => names.map((name, i) => ({ type: "person", externalId: `e2e-${i}-${randomUUID()}`, attributes: { fullName: name } }));
const ids = (frames: SseFrame[]) => frames.map((f) => Number(f.id));
const terminal = (job: any) => ["completed", "failed", "cancelled"].includes(job.status);

async function received(bin: string): Promise<ReceivedWebhook[]> {
  return (await (await fetch(`http://127.0.0.1:${receiver.port}/webhooks/received/${bin}`)).json()) as ReceivedWebhook[];
}

async function balance() {
  return client.expect(200, "GET", "/v1/credits", { key });
}

beforeAll(async () => {
  provider = await startFakeProvider();
  receiver = await startFakeProvider();
  const persistTo = join(dir, "state");
  const envFile = join(dir, "e2e.env");
  writeFileSync(envFile, `ADMIN_TOKEN=${ADMIN_TOKEN}\nENCRYPTION_KEY=${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], 90_000);
  const port = Number(process.env.DOSSIER_E2E_PORT) || (await freePort());
  server = new DevServer({ port, inspectorPort: await freePort(), persistTo, envFile, vars: { ALLOW_LOOPBACK_FETCH: "true" } });
  await server.start();

  const created = await client.expect(201, "POST", "/v1/admin/organizations", {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    body: { name: "E2E", billingMode: "prepaid", initialCredits: 10_000 },
  });
  key = created.apiKey.key;
  await client.expect(200, "PUT", "/v1/integrations/http_lookup", { key, body: { enabled: true, config: { baseUrl: `http://127.0.0.1:${provider.port}/slow/` } } });
  const bin = randomUUID();
  const hook = await client.expect(201, "POST", "/v1/webhooks", {
    key,
    body: { url: `http://127.0.0.1:${receiver.port}/webhooks/in/${bin}`, events: ["enrichment.completed", "enrichment.failed", "job.completed", "job.failed"] },
  });
  webhook = { id: hook.id, secret: hook.secret, bin };
}, 150_000);

afterAll(async () => {
  await server?.stop();
  await provider?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a 200-entity job on wrangler dev", () => {
  it("streams to completed, resumes a dropped stream without gaps, isolates timeouts and bills successes only", async () => {
    const before = await balance();
    const names = Array.from({ length: 200 }, (_, i) => (i % 40 === 7 ? `e${i} hang` : i % 40 === 13 ? `e${i} flaky` : `e${i}`));
    const job = await client.expect(202, "POST", "/v1/jobs", {
      key,
      body: { entities: entities(names), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(20) }, perEntityTimeoutMs: 1500, webhookId: webhook.id },
    });
    bigJobId = job.jobId;
    expect(job.entityCount).toBe(200);

    const first = await client.events(key, job.jobId);
    const head = await first.events((f) => f.event === "completed" || Number(f.id) >= 60);
    await first.close();
    expect(head.at(-1)?.event).not.toBe("completed");
    const second = await client.events(key, job.jobId, head.at(-1)?.id);
    const tail = await second.events();
    expect(tail.at(-1)?.event).toBe("completed");
    const full = await (await client.events(key, job.jobId)).events();
    expect([...ids(head), ...ids(tail)]).toEqual(ids(full));
    expect(full.filter((f) => f.event === "entity_completed")).toHaveLength(200);
    expect(new Set(full.filter((f) => f.event === "entity_completed").map((f) => f.data.entity_index)).size).toBe(200);

    const done = await client.expect(200, "GET", `/v1/jobs/${job.jobId}`, { key });
    expect(done).toMatchObject({ status: "completed", counts: { total: 200, queued: 0, running: 0, succeeded: 190, failed: 10, cancelled: 0 } });
    const results = await client.allResults(key, job.jobId);
    expect(results).toHaveLength(200);
    for (const r of results) {
      const name = names[r.entityIndex] ?? "";
      if (name.includes("hang")) expect(r.error?.code).toBe("ENRICHMENT_TIMEOUT");
      else if (name.includes("flaky")) expect(r.error?.code).toBe("HTTP_503");
      else expect(r.status).toBe("succeeded");
    }
    expect(done.credits).toBe(190);
    expect(await client.charged(key, job.jobId)).toBe(190);
    const after = await balance();
    expect(after.creditBalance).toBe(before.creditBalance - 190);
    expect(after.reservedCredits).toBe(0);
  });

  it("delivers every webhook once, each signed per Standard Webhooks", async () => {
    let got: ReceivedWebhook[] = [];
    for (const until = Date.now() + 60_000; Date.now() < until; await sleep(250)) {
      got = await received(webhook.bin);
      if (got.length >= 201) break;
    }
    const verifier = new Webhook(webhook.secret);
    const payloads = got.map((r) =>
      verifier.verify(r.body, { "webhook-id": r.headers["webhook-id"] ?? "", "webhook-timestamp": r.headers["webhook-timestamp"] ?? "", "webhook-signature": r.headers["webhook-signature"] ?? "" }),
    ) as { type: string; data: Record<string, any> }[];
    const count = (type: string) => payloads.filter((p) => p.type === type).length;
    expect(count("enrichment.completed")).toBe(190);
    expect(count("enrichment.failed")).toBe(10);
    expect(count("job.completed")).toBe(1);
    expect(new Set(payloads.filter((p) => p.type.startsWith("enrichment.")).map((p) => p.data.entityIndex)).size).toBe(200);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(got.length);
  });

  it("retries the failed entities as a follow-up job that charges only new successes", async () => {
    const retry = await client.expect(202, "POST", `/v1/jobs/${bigJobId}/retry`, { key });
    expect(retry).toMatchObject({ entityCount: 10, parentJobId: bigJobId });
    const done = await client.waitForJob(key, retry.jobId, terminal, 60_000);
    // The flaky provider answers on the fourth call; the hanging one still times out.
    expect(done.counts).toMatchObject({ succeeded: 5, failed: 5 });
    expect(await client.charged(key, retry.jobId)).toBe(5);
  });
});

describe("controlling jobs on wrangler dev", () => {
  it("pauses (at most what is in flight finishes) and resumes to completion", async () => {
    const job = await client.expect(202, "POST", "/v1/jobs", {
      key,
      body: { entities: entities(Array.from({ length: 150 }, (_, i) => `p${i}`)), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(300) } },
    });
    const paused = await client.expect(200, "POST", `/v1/jobs/${job.jobId}/pause`, { key });
    expect(paused.status).toBe("paused");
    const settled = await client.waitForJob(key, job.jobId, (j) => j.counts.running === 0, 60_000);
    expect(settled.status).toBe("paused");
    // http_lookup keeps at most 50 calls in flight, so at least 100 entities wait.
    expect(settled.counts.queued).toBeGreaterThanOrEqual(100);
    await client.expect(200, "POST", `/v1/jobs/${job.jobId}/resume`, { key });
    const done = await client.waitForJob(key, job.jobId, terminal, 90_000);
    expect(done).toMatchObject({ status: "completed", counts: { succeeded: 150 } });
    expect(await client.charged(key, job.jobId)).toBe(150);
  });

  it("cancels: what ran is billed, the rest is released", async () => {
    const before = await balance();
    const job = await client.expect(202, "POST", "/v1/jobs", {
      key,
      body: { entities: entities(Array.from({ length: 100 }, (_, i) => `c${i}`)), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(300) } },
    });
    expect((await client.expect(200, "POST", `/v1/jobs/${job.jobId}/cancel`, { key })).status).toBe("cancelled");
    const events = await (await client.events(key, job.jobId)).events();
    expect(events.at(-1)?.data).toEqual({ status: "cancelled" });
    const done = await client.expect(200, "GET", `/v1/jobs/${job.jobId}`, { key });
    expect(done.counts.succeeded).toBeLessThanOrEqual(50);
    expect(done.counts.succeeded + done.counts.cancelled).toBe(100);
    expect(await client.charged(key, job.jobId)).toBe(done.counts.succeeded);
    const after = await balance();
    expect(after.creditBalance).toBe(before.creditBalance - done.counts.succeeded);
    expect(after.reservedCredits).toBe(0);
  });

  it("finishes a job across a restart of the dev server", async () => {
    const job = await client.expect(202, "POST", "/v1/jobs", {
      key,
      body: { entities: entities(Array.from({ length: 120 }, (_, i) => `r${i}`)), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(300) }, perEntityTimeoutMs: 2000 },
    });
    const midway = await client.waitForJob(key, job.jobId, (j) => j.counts.succeeded >= 20 || terminal(j), 60_000);
    expect(midway.status).toBe("processing");
    await server.stop();
    await server.start();
    const done = await client.waitForJob(key, job.jobId, terminal, 120_000);
    expect(done).toMatchObject({ status: "completed", counts: { total: 120, succeeded: 120, failed: 0 } });
    expect(done.credits).toBe(120);
    expect(await client.charged(key, job.jobId)).toBe(120);
    const replay = await (await client.events(key, job.jobId)).events();
    expect(replay.at(-1)?.event).toBe("completed");
    expect(ids(replay)).toEqual([...new Set(ids(replay))].sort((a, b) => a - b));
    expect((await balance()).reservedCredits).toBe(0);
  });
});
