import type { JsonSchema, LlmUsage } from "../../providers/llm/types";

/**
 * Money for model calls, exactly. Prices are USD per million tokens with at most 6 decimals, held as integer
 * micro-USD per million tokens; tokens × that integer is the cost in pico-USD (1e-12 USD), an exact integer kept as a
 * bigint. Nothing is rounded until a record's credits are computed: credits = ceil(record pico-USD / credit value in
 * pico-USD), once per record (per-call ceilings would overcharge multi-call records).
 */
export const CREDIT_VALUE_USD_DEFAULT = "0.01";

const PICO_PER_USD = 1_000_000_000_000n;

/** USD per million tokens, as the price table and the org overrides give them. */
export interface TokenPrice {
  inputPerMTok: number;
  cachedInputPerMTok: number;
  cacheWritePerMTok: number;
  outputPerMTok: number;
}

/** A decimal USD amount (number or string, ≤ 12 decimals) → pico-USD, without floating-point arithmetic. */
export function usdToPico(usd: number | string): bigint {
  const text = typeof usd === "number" ? usd.toFixed(12) : usd.trim();
  const m = /^(\d+)(?:\.(\d{0,12})\d*)?$/.exec(text);
  if (!m?.[1]) throw new Error(`Not a non-negative USD amount: ${String(usd)}`);
  return BigInt(m[1]) * PICO_PER_USD + BigInt((m[2] ?? "").padEnd(12, "0"));
}

/** USD per million tokens → integer micro-USD per million tokens; tokens × it = pico-USD. */
function microPerMTok(usdPerMTok: number): bigint {
  return usdToPico(usdPerMTok) / 1_000_000n;
}

/** The exact cost of one call's usage, in pico-USD. */
export function callCostPico(usage: LlmUsage, price: TokenPrice): bigint {
  return (
    BigInt(usage.inputTokens) * microPerMTok(price.inputPerMTok) +
    BigInt(usage.cachedInputTokens) * microPerMTok(price.cachedInputPerMTok) +
    BigInt(usage.cacheWriteTokens) * microPerMTok(price.cacheWritePerMTok) +
    BigInt(usage.outputTokens) * microPerMTok(price.outputPerMTok)
  );
}

/** pico-USD → a decimal USD string with all 12 decimals (exact), e.g. "0.001234500000". */
export function picoToUsdString(pico: bigint): string {
  const whole = pico / PICO_PER_USD;
  const frac = (pico % PICO_PER_USD).toString().padStart(12, "0");
  return `${whole}.${frac}`;
}

/** pico-USD → micro-USD rounded up (for integer columns), and USD as a number for display. */
export function costFigures(pico: bigint): { costPicoUsd: string; costMicroUsd: number; costUsd: number } {
  const micro = (pico + 999_999n) / 1_000_000n;
  return { costPicoUsd: pico.toString(), costMicroUsd: Number(micro), costUsd: Number(micro) / 1_000_000 };
}

/** Credits for a record's exact cost: rounded up once. */
export function creditsFor(pico: bigint, creditValueUsd: number | string = CREDIT_VALUE_USD_DEFAULT): number {
  const credit = usdToPico(creditValueUsd);
  if (credit <= 0n) throw new Error("The credit value must be positive");
  return Number((pico + credit - 1n) / credit);
}

/** A record's cost: every call it made (all attempts, all expertise domains) summed, then credits once. */
export function recordCost(calls: { usage: LlmUsage; price: TokenPrice }[], creditValueUsd: number | string = CREDIT_VALUE_USD_DEFAULT) {
  const pico = calls.reduce((sum, c) => sum + callCostPico(c.usage, c.price), 0n);
  return { ...costFigures(pico), credits: creditsFor(pico, creditValueUsd) };
}

const utf8 = new TextEncoder();

/** Framing and special tokens per message, on top of the text. */
export const TOKENS_PER_MESSAGE = 64;
/** What the repair attempt's user turn (the validation errors) can add. */
export const REPAIR_TURN_TOKENS = 1024;

/**
 * An upper bound of a call's input tokens before it is made: UTF-8 bytes of system + user + schema (byte-level
 * tokenizers never make more tokens than bytes), plus TOKENS_PER_MESSAGE per message.
 */
export function inputTokenBound(call: { system: string; user: string; jsonSchema: JsonSchema; messages?: number }): number {
  const bytes = utf8.encode(call.system).byteLength + utf8.encode(call.user).byteLength + utf8.encode(JSON.stringify(call.jsonSchema)).byteLength;
  return bytes + TOKENS_PER_MESSAGE * (call.messages ?? 2);
}

/**
 * The most a call can cost, in pico-USD: its input bound and maxOutputTokens at the uncached prices (Dossier sets
 * no cache breakpoints, so nothing is billed at a cache-write price), and, with a repair attempt, a second exchange
 * that also carries the first answer and the error list.
 */
export function maxCallCostPico(inputTokens: number, maxOutputTokens: number, price: TokenPrice, repairAttempts = 1): bigint {
  const inPrice = microPerMTok(price.inputPerMTok);
  const outPrice = microPerMTok(price.outputPerMTok);
  let total = BigInt(inputTokens) * inPrice + BigInt(maxOutputTokens) * outPrice;
  for (let i = 1; i <= repairAttempts; i++) {
    const input = inputTokens + i * (maxOutputTokens + REPAIR_TURN_TOKENS + 2 * TOKENS_PER_MESSAGE);
    total += BigInt(input) * inPrice + BigInt(maxOutputTokens) * outPrice;
  }
  return total;
}

/** Credits to hold for one record (its calls' maxima summed, rounded up once): settle later to the real figure. */
export function reservationCredits(
  calls: { inputTokens: number; maxOutputTokens: number; price: TokenPrice }[],
  creditValueUsd: number | string = CREDIT_VALUE_USD_DEFAULT,
  repairAttempts = 1,
): number {
  const pico = calls.reduce((sum, c) => sum + maxCallCostPico(c.inputTokens, c.maxOutputTokens, c.price, repairAttempts), 0n);
  return creditsFor(pico, creditValueUsd);
}
