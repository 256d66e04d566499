import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { lookupOrg, person, scenario } from "../helpers/enrichment";
import { type SseFrame, SseReader, openEvents, people, postJob, slowOrg, slowScenario, startCapturedJob, waitForJob } from "./helpers";

const ids = (frames: SseFrame[]) => frames.map((f) => Number(f.id));

describe("GET /v1/jobs/:id/events", () => {
  it("streams a job from job_started to completed, every event with an increasing id", async () => {
    const org = await lookupOrg();
    const res = await postJob(org.adminKey, { entities: people(["A", "B"]), integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario() } });
    const stream = await openEvents(org.adminKey, res.json.jobId);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
    const events = await stream.events();
    expect(await stream.next()).toBeNull();

    const types = events.map((e) => e.event);
    expect(types[0]).toBe("job_started");
    expect(types.filter((t) => t === "entity_started")).toHaveLength(2);
    expect(types.filter((t) => t === "enrichment_completed")).toHaveLength(4);
    expect(types.filter((t) => t === "entity_completed")).toHaveLength(2);
    expect(types.slice(-2)).toEqual(["job_completed", "completed"]);
    const numbers = ids(events);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);

    const partial = events.find((e) => e.event === "enrichment_completed");
    expect(partial?.data).toMatchObject({ entity_index: expect.any(Number), result: { success: true, integrationCode: expect.any(String) } });
    const entity = events.find((e) => e.event === "entity_completed");
    expect(entity?.data).toMatchObject({ entity_index: expect.any(Number), status: "succeeded", totalCredits: 2 });
    expect(entity?.data.results).toHaveLength(2);
    expect(events.find((e) => e.event === "job_completed")?.data).toMatchObject({ status: "completed", counts: { succeeded: 2 } });
  });

  it("gives a reconnecting client exactly the events it missed (Last-Event-ID), mid-run", async () => {
    const org = await slowOrg();
    const res = await postJob(org.adminKey, { entities: people(["a", "b", "c", "d", "e", "f"]), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(150) } });
    const first = await openEvents(org.adminKey, res.json.jobId);
    const before = await first.events((f) => f.event === "entity_started");
    await first.close();
    const lastSeen = before.at(-1)?.id ?? "";
    const second = await openEvents(org.adminKey, res.json.jobId, { lastEventId: lastSeen });
    const after = await second.events();

    const full = await (await openEvents(org.adminKey, res.json.jobId)).events();
    expect([...ids(before), ...ids(after)]).toEqual(ids(full));
    expect(after.at(-1)?.event).toBe("completed");
    expect(Number(after[0]?.id)).toBe(Number(lastSeen) + 1);

    const viaQuery = await exports.default.fetch(
      new Request(`http://dossier.test/v1/jobs/${res.json.jobId}/events?lastEventId=${lastSeen}`, { headers: { authorization: `Bearer ${org.adminKey}` } }),
    );
    expect(ids(await new SseReader(viaQuery).events())).toEqual(ids(after));
  });

  it("serves many watchers of one job the same events", async () => {
    const org = await slowOrg();
    const res = await postJob(org.adminKey, { entities: people(["a", "b", "c"]), integrationCodes: ["http_lookup"], params: { scenario: slowScenario(100) } });
    const streams = await Promise.all([1, 2, 3].map(() => openEvents(org.adminKey, res.json.jobId)));
    const seen = await Promise.all(streams.map((s) => s.events()));
    for (const events of seen) {
      expect(events.at(-1)?.event).toBe("completed");
      expect(ids(events)).toEqual(ids(seen[0] ?? []));
    }
  });

  it("replays a finished job's history and closes", async () => {
    const org = await lookupOrg();
    const res = await postJob(org.adminKey, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    await waitForJob(org.adminKey, res.json.jobId);
    const stream = await openEvents(org.adminKey, res.json.jobId);
    const frames: SseFrame[] = [];
    for (let f = await stream.next(); f; f = await stream.next()) if (f.event) frames.push(f);
    expect(stream.ended).toBe(true);
    expect(frames[0]?.event).toBe("job_started");
    expect(frames.at(-1)?.event).toBe("completed");
    const tail = await openEvents(org.adminKey, res.json.jobId, { lastEventId: frames.at(-1)?.id });
    expect(await tail.events()).toEqual([]);
    expect(tail.ended).toBe(true);
  });

  it("keeps an idle stream open with heartbeat comments", async () => {
    const org = await lookupOrg();
    // Its task messages are held back, so the job sits idle.
    const { spec } = await startCapturedJob(org, { entities: people(["A"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() } });
    const stream = await openEvents(org.adminKey, spec.jobId, { heartbeat: 1 });
    const frames: SseFrame[] = [];
    for (let f = await stream.next(); f && f.comment !== "ping"; f = await stream.next()) frames.push(f);
    expect(frames.filter((f) => f.event).map((f) => f.event)).toEqual(["job_started"]);
    expect(stream.ended).toBe(false);
    await stream.close();
    await call("POST", `/v1/jobs/${spec.jobId}/cancel`, { key: org.adminKey });
  });
});

describe("POST /v1/entities/:id/enrichments?stream=true", () => {
  it("streams one entity's enrichment in the job stream's vocabulary", async () => {
    const org = await lookupOrg();
    const id = await person(org.adminKey);
    const res = await exports.default.fetch(
      new Request(`http://dossier.test/v1/entities/${id}/enrichments?stream=true`, {
        method: "POST",
        headers: { authorization: `Bearer ${org.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ integrationCodes: ["http_lookup", "http_lookup_alt"], params: { scenario: scenario({ http_lookup_alt: "404" }) } }),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await new SseReader(res).events();
    expect(events.map((e) => e.event)).toEqual(["entity_started", "enrichment_completed", "enrichment_completed", "entity_completed", "completed"]);
    expect(ids(events)).toEqual([1, 2, 3, 4, 5]);
    const partials = events.filter((e) => e.event === "enrichment_completed").map((e) => e.data.result.integrationCode).sort();
    expect(partials).toEqual(["http_lookup", "http_lookup_alt"]);
    expect(events[3]?.data).toMatchObject({ entityId: id, status: "succeeded", totalCredits: 1 });
    const records = await call("GET", `/v1/entities/${id}/enrichments`, { key: org.adminKey });
    expect(records.json.data).toHaveLength(2);
  });

  it("keeps refusals as HTTP errors before the stream starts", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 0 });
    const id = await person(org.adminKey);
    const post = (body: unknown) =>
      call("POST", `/v1/entities/${id}/enrichments?stream=true`, { key: org.adminKey, body });
    expect((await post({ integrationCodes: ["nope"] })).status).toBe(400);
    const poor = await post({ integrationCodes: ["http_lookup"] });
    expect(poor.status).toBe(402);
    expect(poor.json.error.code).toBe("INSUFFICIENT_CREDITS");
  });
});
