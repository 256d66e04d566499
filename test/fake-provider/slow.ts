import { registerFakeRoute } from "./registry";

/**
 * A provider for batch jobs, reached by pointing an `http_lookup` integration's baseUrl at `/slow/`.
 * `GET /slow/lookup?scenario=id=<unique>;delay=<ms>&name=…` answers like the lookup fake after `delay` ms, and the
 * entity's name picks its behaviour: containing "hang" → answers after 15 s, "fail500" → 500, "nodata" → no fields,
 * "flaky" → 503 to the first three calls for that name in the scenario (one run's retries), then ok.
 * It counts calls in progress per scenario id: `GET /slow/stats?scenario=<same>` → {calls, active, peak}.
 */
interface Stats {
  calls: number;
  active: number;
  peak: number;
}

const stats = new Map<string, Stats>();
const callsByName = new Map<string, number>();

function option(scenario: string, key: string): string | undefined {
  for (const part of scenario.split(";")) {
    const [k, v] = part.split("=");
    if (k === key) return v;
  }
  return undefined;
}

registerFakeRoute("slow", (_req, _body, url) => {
  const scenario = url.searchParams.get("scenario") ?? "";
  const id = option(scenario, "id") ?? scenario;
  const entry = stats.get(id) ?? { calls: 0, active: 0, peak: 0 };
  stats.set(id, entry);
  if (url.pathname === "/slow/stats") return { status: 200, body: entry };

  const name = url.searchParams.get("name") ?? url.searchParams.get("email") ?? "someone";
  const delayMs = name.includes("hang") ? 15_000 : Number(option(scenario, "delay") ?? 0);
  entry.calls++;
  entry.active++;
  entry.peak = Math.max(entry.peak, entry.active);
  // Registered before the server's own timer for the answer, so the count drops just before the answer leaves.
  setTimeout(() => entry.active--, delayMs);
  const nameCalls = (callsByName.get(`${id}|${name}`) ?? 0) + 1;
  callsByName.set(`${id}|${name}`, nameCalls);
  if (name.includes("flaky") && nameCalls <= 3) return { status: 503, delayMs, body: { error: "fake 503" } };
  if (name.includes("fail500")) return { status: 500, delayMs, body: { error: "fake 500" } };
  if (name.includes("nodata")) return { status: 200, delayMs, body: { fields: {}, confidence: 0 } };
  const code = url.searchParams.get("integration") ?? "";
  return {
    status: 200,
    delayMs,
    body: { fields: { title: `Title of ${name} from ${code}`, seniority: "senior" }, confidence: 0.8, costCents: 3 },
  };
});
