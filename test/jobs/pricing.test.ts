import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/platform/db/client";
import type { EnrichmentJob } from "../../src/features/jobs/engine/enrichment-job";
import { prepareJob } from "../../src/features/jobs/create";
import { call } from "../helpers/api";
import { lookupCalls, lookupOrg, scenario } from "../helpers/enrichment";
import { allResults, chargedCredits, deliverTasks, orgCredits, people, startCapturedJob, waitForJob } from "./helpers";

/**
 * Job-level pricing (`entityCredits`, not in the public body; Instaview's runs use it): an entity with at least one
 * success is charged exactly the price, whatever its integrations charge, once, whatever the queue does.
 */

describe("a job priced per entity", () => {
  it("holds the price per entity, runs one task per entity, and charges each entity that succeeds exactly once", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 10 });
    const third = await call("PUT", "/v1/integrations/http_lookup_third", { key: org.adminKey, body: { enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL } } });
    expect(third.status).toBe(200);
    const s = scenario({ http_lookup_alt: "500" });
    const request = { entities: people(["Priced A", "Priced B"]), integrationCodes: ["http_lookup", "http_lookup_alt", "http_lookup_third"], params: { scenario: s }, entityCredits: 3 };
    const { spec, stub, captured } = await startCapturedJob(org, request);
    expect(spec).toMatchObject({ entityCredits: 3, reservedCredits: 6, laneCaps: { "*entity": 50 } });
    expect(await orgCredits(org.orgId)).toEqual({ balance: 10, reserved: 6 });
    expect(captured.map((m) => [m.taskId, m.integrationCodes, m.entityCredits])).toEqual([
      ["0", ["http_lookup", "http_lookup_alt", "http_lookup_third"], 3],
      ["1", ["http_lookup", "http_lookup_alt", "http_lookup_third"], 3],
    ]);
    const [first] = captured;
    if (!first) throw new Error("no task");
    // Delivered twice (at-least-once queues): one run, one charge.
    await deliverTasks([first, first]);
    await deliverTasks(captured);
    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job).toMatchObject({ status: "completed", credits: 6, counts: { succeeded: 2 } });
    expect(await lookupCalls(s)).toBe(2);
    expect(await chargedCredits(org.orgId, spec.jobId)).toBe(6);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 4, reserved: 0 });
    // Two integrations succeeded per entity: the price rides on the first, the others charge nothing.
    const [a] = await allResults(org.adminKey, spec.jobId);
    expect(a.results.map((r: { integrationCode: string; success: boolean; credits: number }) => [r.integrationCode, r.success, r.credits])).toEqual([
      ["http_lookup", true, 3],
      ["http_lookup_alt", false, 0],
      ["http_lookup_third", true, 0],
    ]);
    const tasks = await runInDurableObject(stub, (_i: EnrichmentJob, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tasks").one().n);
    expect(tasks).toBe(2);
  });

  it("charges nothing for an entity with no success, and refuses (402) a prepaid job the price times the entities cannot cover", async () => {
    const org = await lookupOrg({ billingMode: "prepaid", initialCredits: 3 });
    const caller = { orgId: org.orgId, keyId: org.adminKeyId, role: "admin" as const };
    const many = { entities: people(["P1", "P2"]), integrationCodes: ["http_lookup"], params: { scenario: scenario() }, entityCredits: 2 };
    await expect(prepareJob(createDb(env.DB), caller, many)).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS" });
    expect(await orgCredits(org.orgId)).toEqual({ balance: 3, reserved: 0 });

    const s = scenario({ http_lookup: "500" });
    const { spec, captured } = await startCapturedJob(org, { entities: people(["Fails"]), integrationCodes: ["http_lookup"], params: { scenario: s }, entityCredits: 2 });
    await deliverTasks(captured);
    const job = await waitForJob(org.adminKey, spec.jobId);
    expect(job).toMatchObject({ status: "failed", credits: 0 });
    expect(await orgCredits(org.orgId)).toEqual({ balance: 3, reserved: 0 });
  });
});
