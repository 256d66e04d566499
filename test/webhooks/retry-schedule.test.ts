import { describe, expect, it } from "vitest";
import {
  JITTER,
  MAX_QUEUE_DELAY_SECONDS,
  RETRY_WINDOW_SECONDS,
  WEBHOOK_MAX_RETRIES,
  retryDelaySeconds,
  retrySchedule,
} from "../../src/features/webhooks/retry-schedule";

describe("webhook retry schedule", () => {
  const schedule = retrySchedule();

  it("has one growing delay per configured retry, together spanning about a day", () => {
    expect(schedule).toHaveLength(WEBHOOK_MAX_RETRIES);
    expect(schedule[0]).toBe(10);
    for (let i = 1; i < schedule.length; i++) expect(schedule[i]).toBeGreaterThan(schedule[i - 1] ?? Number.POSITIVE_INFINITY);
    const total = schedule.reduce((sum, d) => sum + d, 0);
    expect(Math.abs(total - RETRY_WINDOW_SECONDS)).toBeLessThan(RETRY_WINDOW_SECONDS * 0.01);
    expect(Math.max(...schedule)).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS);
  });

  it("adapts to another retry count and window", () => {
    const short = retrySchedule(5, 600, 5);
    expect(short).toHaveLength(5);
    expect(Math.abs(short.reduce((s, d) => s + d, 0) - 600)).toBeLessThanOrEqual(5);
  });

  it("jitters each delay within ±20% and stays under the queue's limit", () => {
    schedule.forEach((nominal, i) => {
      const low = retryDelaySeconds(i + 1, () => 0);
      const high = retryDelaySeconds(i + 1, () => 0.999999);
      expect(low).toBe(Math.max(1, Math.round(nominal * (1 - JITTER))));
      expect(high).toBe(Math.min(MAX_QUEUE_DELAY_SECONDS, Math.round(nominal * (1 + JITTER))));
    });
    expect(retryDelaySeconds(3, () => 0.1)).not.toBe(retryDelaySeconds(3, () => 0.9));
  });

  it("has no delay after the last attempt, which dead-letters", () => {
    expect(retryDelaySeconds(WEBHOOK_MAX_RETRIES + 1)).toBe(0);
  });
});
