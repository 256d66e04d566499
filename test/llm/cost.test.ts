import { describe, expect, it } from "vitest";
import {
  callCostPico,
  creditsFor,
  inputTokenBound,
  maxCallCostPico,
  picoToUsdString,
  recordCost,
  reservationCredits,
  type TokenPrice,
  usdToPico,
} from "../../src/features/llm/cost";
import { ZERO_USAGE } from "../../src/providers/llm/client";
import type { LlmUsage } from "../../src/providers/llm/types";
import { callFake, newId } from "./helpers";

const gpt4o: TokenPrice = { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, cacheWritePerMTok: 2.5, outputPerMTok: 10 };
const mini: TokenPrice = { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, cacheWritePerMTok: 0.15, outputPerMTok: 0.6 };
const usage = (u: Partial<LlmUsage>): LlmUsage => ({ ...ZERO_USAGE, ...u });

describe("tokens × price, exactly", () => {
  it("decimal prices without floating-point error", () => {
    expect(usdToPico("0.01")).toBe(10_000_000_000n);
    expect(usdToPico(0.075)).toBe(75_000_000_000n);
    expect(usdToPico(0.1 + 0.2)).toBe(300_000_000_000n);
    expect(() => usdToPico("-1")).toThrow();
  });

  it("each bucket at its own price", () => {
    // 1,000 uncached × $2.50/M + 2,000 cached × $1.25/M + 500 out × $10/M = $0.0025 + $0.0025 + $0.005 = $0.01
    const pico = callCostPico(usage({ inputTokens: 1000, cachedInputTokens: 2000, outputTokens: 500 }), gpt4o);
    expect(picoToUsdString(pico)).toBe("0.010000000000");
  });

  it("sub-micro amounts are kept, not rounded away", () => {
    // 7 tokens × $0.075/M = $0.000000525
    expect(picoToUsdString(callCostPico(usage({ cachedInputTokens: 7 }), mini))).toBe("0.000000525000");
  });

  it("one call of 1 token costs more than zero credits: credits round up", () => {
    const r = recordCost([{ usage: usage({ inputTokens: 1 }), price: mini }]);
    expect(r).toMatchObject({ credits: 1, costMicroUsd: 1, costPicoUsd: "150000" });
  });

  it("credits are rounded up once per record, not per call", () => {
    // Three calls of $0.004 each: per call that would be 3 × 1 credit; once per record $0.012 → 2 credits.
    const call = { usage: usage({ outputTokens: 400 }), price: gpt4o };
    expect(recordCost([call]).credits).toBe(1);
    expect(recordCost([call, call, call])).toMatchObject({ credits: 2, costUsd: 0.012 });
  });

  it("exactly one credit's worth is one credit; a pico-dollar more is two", () => {
    expect(creditsFor(10_000_000_000n)).toBe(1);
    expect(creditsFor(10_000_000_001n)).toBe(2);
    expect(creditsFor(0n)).toBe(0);
    expect(creditsFor(10_000_000_000n, "0.001")).toBe(10);
  });

  it("the fake's usage priced end to end", async () => {
    const result = await callFake("openai", `id=${newId()};cache=100`, { name: "Acme" });
    const u = result.usage;
    const expected = BigInt(u.inputTokens) * 150_000n + BigInt(u.cachedInputTokens) * 75_000n + BigInt(u.outputTokens) * 600_000n;
    expect(callCostPico(u, mini)).toBe(expected);
  });
});

describe("reservation upper bound", () => {
  it("input bound = UTF-8 bytes + per-message framing", () => {
    expect(inputTokenBound({ system: "ab", user: "é", jsonSchema: {}, messages: 2 })).toBe(2 + 2 + 2 + 128);
  });

  it("covers the call's worst case: input bound and maxOutputTokens, and the repair attempt", () => {
    const one = maxCallCostPico(1000, 500, gpt4o, 0);
    expect(one).toBe(1000n * 2_500_000n + 500n * 10_000_000n);
    const withRepair = maxCallCostPico(1000, 500, gpt4o, 1);
    expect(withRepair).toBe(one + (1000n + 500n + 1024n + 128n) * 2_500_000n + 500n * 10_000_000n);
  });

  it("a real call never costs more than its reservation", async () => {
    const system = "You enrich entities.";
    const result = await callFake("anthropic", `id=${newId()};fail=schema_invalid;times=1`, { name: "Acme" });
    const bound = inputTokenBound({ system, user: JSON.stringify(result.attempts[0]?.requestBody), jsonSchema: {} });
    const actual = callCostPico(result.usage, gpt4o);
    expect(actual).toBeLessThanOrEqual(maxCallCostPico(bound, 1024, gpt4o, 1));
    expect(reservationCredits([{ inputTokens: bound, maxOutputTokens: 1024, price: gpt4o }])).toBeGreaterThanOrEqual(recordCost([{ usage: result.usage, price: gpt4o }]).credits);
  });

  it("a record's reservation sums its calls and rounds once", () => {
    const calls = [1, 2, 3].map(() => ({ inputTokens: 100, maxOutputTokens: 100, price: mini }));
    const pico = calls.reduce((s, c) => s + maxCallCostPico(c.inputTokens, c.maxOutputTokens, c.price), 0n);
    expect(reservationCredits(calls)).toBe(creditsFor(pico));
    expect(reservationCredits(calls)).toBe(1);
  });
});
