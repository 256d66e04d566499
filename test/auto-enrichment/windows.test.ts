import { describe, expect, it } from "vitest";
import { isTimeZone, localDate, windowsAt } from "../../src/features/auto-enrichment/budget/windows";

describe("budget windows in the budget's time zone", () => {
  it("cuts days and months at local midnight, across a daylight-saving change", () => {
    // 00:30 UTC on 29 March 2026 is 01:30 in Paris, the night clocks go from 02:00 to 03:00.
    const w = windowsAt(Date.UTC(2026, 2, 29, 0, 30), "Europe/Paris");
    expect(w.day).toEqual({ period: "day", key: "2026-03-29", start: "2026-03-28T23:00:00.000Z", resetsAt: "2026-03-29T22:00:00.000Z" });
    expect(w.month).toEqual({ period: "month", key: "2026-03", start: "2026-02-28T23:00:00.000Z", resetsAt: "2026-03-31T22:00:00.000Z" });
  });

  it("puts an instant in the local day and month it belongs to (not UTC's)", () => {
    const lateInNewYork = Date.UTC(2027, 0, 1, 3, 0); // 22:00 on 31 December 2026 in New York
    expect(windowsAt(lateInNewYork, "America/New_York").day.key).toBe("2026-12-31");
    expect(windowsAt(lateInNewYork, "America/New_York").month).toMatchObject({ key: "2026-12", resetsAt: "2027-01-01T05:00:00.000Z" });
    expect(windowsAt(lateInNewYork, "UTC").day).toMatchObject({ key: "2027-01-01", start: "2027-01-01T00:00:00.000Z", resetsAt: "2027-01-02T00:00:00.000Z" });
    expect(windowsAt(Date.UTC(2026, 5, 15, 20, 0), "Asia/Kathmandu").day).toMatchObject({ key: "2026-06-16", start: "2026-06-15T18:15:00.000Z" });
    expect(localDate("2026-06-15T18:20:00.000Z", "Asia/Kathmandu")).toBe("2026-06-16");
  });

  it("knows IANA zones from anything else", () => {
    expect(isTimeZone("Europe/London")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
