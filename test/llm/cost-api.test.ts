import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { orgCredits, waitForJob } from "../jobs/helpers";
import { COMPANY_SCHEMA, PRICES, fakeRequests, jobCharges, llmOrg, record, records, runToEnd, startRun } from "./run-helpers";

/** The exact cost of usage at the fake's prices, in pico-USD (1e-12 USD): tokens × USD per token. */
const picoOf = (input: number, output: number) => BigInt(input) * BigInt(PRICES.input * 1_000_000) + BigInt(output) * BigInt(PRICES.output * 1_000_000);
/** 0.01 USD per credit = 1e10 pico-USD; rounded up once per record. */
const creditsOf = (pico: bigint) => Number((pico + 10_000_000_000n - 1n) / 10_000_000_000n);

describe("LLM cost and credits", () => {
  it("costs tokens × price exactly, charges credits once per record, and books exactly that in the ledger", async () => {
    const org = await llmOrg({ billingMode: "prepaid", initialCredits: 500 });
    const before = await orgCredits(org.orgId);
    const { created, job } = await runToEnd(org.adminKey, {
      entities: [{ name: "Initech" }, { name: "Globex" }],
      schema: COMPANY_SCHEMA,
      models: ["fake::alpha"],
      strategy: "multi_expertise",
    });
    expect(job.status).toBe("completed");
    const recs = await records(org.adminKey, `jobId=${created.jobId}`);
    expect(recs).toHaveLength(2);
    for (const rec of recs) {
      const detail = await record(org.adminKey, rec.id);
      // Three domain calls, each with the usage the fake reported.
      expect(detail.prompts).toHaveLength(3);
      const calls = detail.prompts.map((p: any) => p.rawResponse.usage);
      const input = calls.reduce((s: number, u: any) => s + u.prompt_tokens, 0);
      const output = calls.reduce((s: number, u: any) => s + u.completion_tokens, 0);
      expect(rec.usage).toMatchObject({ inputTokens: input, outputTokens: output, cachedInputTokens: 0 });
      const pico = picoOf(input, output);
      expect(rec.costPicoUsd).toBe(pico.toString());
      expect(rec.credits).toBe(creditsOf(pico));
      // Rounded once for the record: less than a ceiling per call would have made it.
      const perCall = calls.reduce((s: number, u: any) => s + creditsOf(picoOf(u.prompt_tokens, u.completion_tokens)), 0);
      expect(rec.credits).toBeLessThan(perCall);
    }
    const charges = await jobCharges(org.orgId, created.jobId);
    expect(charges.map((c) => [c.source, c.credits, c.code]).sort()).toEqual(recs.map((r) => [r.id, r.credits, "llm:fake::alpha"]).sort());
    const charged = recs.reduce((s, r) => s + r.credits, 0);
    expect(job.credits).toBe(charged);
    expect(job.reservedCredits).toBeGreaterThan(charged);
    // Settled: the hold is gone and the balance moved by exactly what was charged.
    expect(await orgCredits(org.orgId)).toEqual({ balance: (before?.balance ?? 0) - charged, reserved: 0 });
    const ledger = await call("GET", "/v1/credits/transactions", { key: org.adminKey });
    expect(ledger.json.data.filter((t: { type: string }) => t.type === "charge").reduce((s: number, t: { amount: number }) => s - t.amount, 0)).toBe(charged);
  });

  it("holds the most a run could cost up front: 402 when a prepaid balance cannot cover it, nothing written", async () => {
    const org = await llmOrg({ billingMode: "prepaid", initialCredits: 3 });
    const res = await startRun(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: ["fake::alpha", "fake::beta"], maxOutputTokens: 4096 });
    expect(res.status).toBe(402);
    expect(res.json.error).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { available: 3 } });
    expect(res.json.error.details.required).toBeGreaterThan(3);
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toEqual([]);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 3, reserved: 0 });
    // A smaller cap on output makes the same run affordable.
    const small = await startRun(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"], maxOutputTokens: 64 });
    expect(small.status, small.text).toBe(202);
    expect(small.json.reservedCredits).toBeLessThanOrEqual(3);
    const done = await waitForJob(org.adminKey, small.json.jobId);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 3 - done.credits, reserved: 0 });
  });

  it("charges nothing for failed calls; their cost is still recorded", async () => {
    const org = await llmOrg({ billingMode: "prepaid", initialCredits: 500, spec: "fail=truncate" });
    const { created, job } = await runToEnd(org.adminKey, { entities: [{ name: "Initech" }], schema: COMPANY_SCHEMA, models: ["fake::alpha"] });
    expect(job.status).toBe("failed");
    const [rec] = await records(org.adminKey, `jobId=${created.jobId}`);
    expect(rec).toMatchObject({ success: false, credits: 0, error: { code: "LLM_TRUNCATED" } });
    expect(BigInt(rec.costPicoUsd)).toBeGreaterThan(0n);
    expect(await jobCharges(org.orgId, created.jobId)).toEqual([]);
    expect(await orgCredits(org.orgId)).toEqual({ balance: 500, reserved: 0 });
    expect((await fakeRequests(org.fakeId))[0]?.body.max_tokens).toBe(4096);
  });
});
