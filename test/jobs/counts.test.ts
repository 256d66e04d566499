import { describe, expect, it } from "vitest";
import type { JobCounts } from "../../src/features/jobs/engine/types";
import { call } from "../helpers/api";
import { type SseFrame, getJob, openEvents, people, slowOrg, slowScenario, startJobWith, waitForJob } from "./helpers";

type Counts = JobCounts;

const sum = (c: Counts) => c.queued + c.running + c.succeeded + c.failed + c.cancelled;
const settled = (c: Counts) => c.succeeded + c.failed + c.cancelled;

/** A job of `names` whose http_lookup calls take `delayMs`, at most `cap` in flight: it runs in visible waves. */
async function wavesJob(names: string[], delayMs: number, cap: number, org?: Awaited<ReturnType<typeof slowOrg>>) {
  const o = org ?? (await slowOrg());
  const { spec } = await startJobWith(o, { entities: people(names), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(delayMs) } }, (s) => ({
    ...s,
    laneCaps: { http_lookup: cap },
  }));
  return { org: o, jobId: spec.jobId };
}

/** GET /v1/jobs/{id} every few ms until `stop`, keeping every answer's counts. */
async function sampleCounts(key: string, jobId: string, stop: (job: { status: string; counts: Counts }) => boolean) {
  const samples: Counts[] = [];
  for (let i = 0; i < 2000; i++) {
    const job = await getJob(key, jobId);
    samples.push(job.counts);
    if (stop(job)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return samples;
}

describe("job counts", () => {
  it("are disjoint and add up to total at every moment of a running job, in GET and on the event stream alike", async () => {
    const names = ["a", "b", "c", "d", "e f", "g", "h", "i fail500"];
    const { org, jobId } = await wavesJob(names, 200, 2);
    const stream = await openEvents(org.adminKey, jobId);
    const streamed = stream.events();
    const samples = await sampleCounts(org.adminKey, jobId, (j) => ["completed", "failed"].includes(j.status));

    expect(samples.length).toBeGreaterThan(5);
    for (const c of samples) {
      expect(c.total).toBe(names.length);
      expect(sum(c)).toBe(c.total);
      expect(Object.values(c).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    }
    // Moments in the middle of the run, not only the start and the end.
    expect(samples.some((c) => c.queued > 0 && c.running > 0)).toBe(true);
    expect(samples.some((c) => c.queued > 0 && c.succeeded > 0)).toBe(true);
    for (const [i, c] of samples.entries()) if (i > 0) expect(settled(c)).toBeGreaterThanOrEqual(settled(samples[i - 1] as Counts));
    const final = samples.at(-1) as Counts;
    expect(final).toEqual({ total: 8, queued: 0, running: 0, succeeded: 7, failed: 1, cancelled: 0 });

    const events: SseFrame[] = await streamed;
    const withCounts = events.filter((e) => e.data?.counts);
    expect(withCounts.map((e) => e.event)).toEqual(expect.arrayContaining(["entity_started", "entity_completed", "job_completed"]));
    for (const e of withCounts) expect(sum(e.data.counts), e.event).toBe(names.length);
    // Each entity_started counts the entity as running; the stream's last word agrees with GET.
    for (const e of events.filter((f) => f.event === "entity_started")) expect(e.data.counts.running).toBeGreaterThan(0);
    expect(events.find((e) => e.event === "job_completed")?.data.counts).toEqual(final);
    // The list (from D1) adds up too, and agrees once the job is done.
    const listed = (await call("GET", "/v1/jobs", { key: org.adminKey })).json.data.find((j: { id: string }) => j.id === jobId);
    expect(listed.counts).toEqual(final);
  });

  it("after a cancel: never-started entities are cancelled, running ones finish as they finish, still adding up", async () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const { org, jobId } = await wavesJob(names, 400, 1);
    // Wait for the first entity to be running, then cancel.
    await sampleCounts(org.adminKey, jobId, (j) => j.counts.running > 0);
    const cancelled = await call("POST", `/v1/jobs/${jobId}/cancel`, { key: org.adminKey });
    expect(cancelled.status).toBe(200);
    const atCancel = cancelled.json.counts as Counts;
    expect(sum(atCancel)).toBe(names.length);
    expect(atCancel.running).toBeGreaterThan(0);
    expect(atCancel).toMatchObject({ queued: 0, cancelled: names.length - atCancel.running - atCancel.succeeded });

    const samples = await sampleCounts(org.adminKey, jobId, (j) => j.counts.running === 0);
    for (const c of samples) {
      expect(sum(c)).toBe(names.length);
      expect(c.queued).toBe(0);
    }
    const done = await waitForJob(org.adminKey, jobId);
    expect(done.status).toBe("cancelled");
    // What was running when the job was cancelled finished and counts as it ended; nothing else ran.
    const ran = atCancel.succeeded + atCancel.running;
    expect(done.counts).toEqual({ total: 6, queued: 0, running: 0, succeeded: ran, failed: 0, cancelled: 6 - ran });
    const events = await (await openEvents(org.adminKey, jobId)).events();
    for (const e of events.filter((f) => f.data?.counts)) expect(sum(e.data.counts), e.event).toBe(names.length);
    expect(events.find((e) => e.event === "job_cancelled")?.data.counts).toMatchObject({ queued: 0, cancelled: atCancel.cancelled });
  });
});
