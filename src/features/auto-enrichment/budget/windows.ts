import type { BudgetPeriod } from "../../../db/schema/auto-enrichment";

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(zone, format);
  }
  return format;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(ms: number, zone: string): WallTime {
  const parts = Object.fromEntries(formatFor(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at an instant, in ms (local wall time read as UTC, minus the instant). */
function offsetAt(ms: number, zone: string): number {
  const w = wallTime(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a local date's midnight falls on in the zone (or the first instant after it, across a gap). */
function localMidnight(year: number, month: number, day: number, zone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  let guess = wall - offsetAt(wall, zone);
  for (let i = 0; i < 3; i++) {
    const next = wall - offsetAt(guess, zone);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export interface BudgetWindow {
  period: BudgetPeriod;
  /** `YYYY-MM-DD` or `YYYY-MM`, local to the zone. */
  key: string;
  /** ISO instants: where the window starts and where it resets. */
  start: string;
  resetsAt: string;
}

/** The day and month windows an instant falls in, in the budget's time zone. */
export function windowsAt(ms: number, zone: string): Record<BudgetPeriod, BudgetWindow> {
  const w = wallTime(ms, zone);
  // Date.UTC normalizes day 32 and month 13 into the next month and year.
  const tomorrow = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  const nextMonth = new Date(Date.UTC(w.year, w.month, 1));
  const iso = (t: number) => new Date(t).toISOString();
  return {
    day: {
      period: "day",
      key: `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`,
      start: iso(localMidnight(w.year, w.month, w.day, zone)),
      resetsAt: iso(localMidnight(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate(), zone)),
    },
    month: {
      period: "month",
      key: `${pad(w.year, 4)}-${pad(w.month)}`,
      start: iso(localMidnight(w.year, w.month, 1, zone)),
      resetsAt: iso(localMidnight(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 1, zone)),
    },
  };
}

/** The local date (`YYYY-MM-DD`) of an ISO instant in the zone: the credit breakdown's day buckets. */
export function localDate(iso: string, zone: string): string {
  const w = wallTime(Date.parse(iso), zone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}
