import { ApiError } from "../../../platform/errors";

const DAY_MS = 86_400_000;
/** The longest window a report covers. */
const MAX_DAYS = 366;

export interface ReportWindow {
  from: string;
  to: string;
}

const instant = (value: string, path: string): number => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ApiError("VALIDATION_ERROR", "Invalid time", { details: [{ path, message: "An ISO 8601 date or time" }] });
  return ms;
};

/** `from` (inclusive) and `to` (exclusive), ISO 8601; by default the last 30 days. */
export function reportWindow(from: string | undefined, to: string | undefined, now = Date.now()): ReportWindow {
  const end = to ? instant(to, "to") : now;
  const start = from ? instant(from, "from") : end - 30 * DAY_MS;
  if (start >= end) throw new ApiError("VALIDATION_ERROR", "`from` must be before `to`", { details: [{ path: "from", message: "Must be before to" }] });
  if (end - start > MAX_DAYS * DAY_MS) {
    throw new ApiError("VALIDATION_ERROR", `A report covers at most ${MAX_DAYS} days`, { details: [{ path: "from", message: `At most ${MAX_DAYS} days before to` }] });
  }
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}
