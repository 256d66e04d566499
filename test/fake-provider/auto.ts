import { registerFakeRoute } from "./registry";

/**
 * A provider for auto-enrichment, reached by pointing an `http_lookup*` integration's baseUrl at `/auto/<scenario>/`,
 * so each test's calls and cache entries are its own (the pipeline sends no `params.scenario`). It speaks the lookup
 * wire format (`GET …/lookup?integration=&name=&email=&domain=` → `{fields, confidence, costCents}`).
 *
 * The scenario is `<id>` plus `;key=value` options: `conf=<0..1>` (confidence, default 0.9), `delay=<ms>`,
 * `title=<text>` (a fixed jobTitle instead of one per name), `fail=<n>` (503 to the scenario's first n calls). The entity's name picks a behaviour: containing "nodata" →
 * no fields; "fail500" → 500; "flaky" → 503 to the first three calls for that name (one run's retries), then ok.
 * Fields: `jobTitle` ("Chief of <name>"), `companyName`, `seniority`, `industry`, and `phoneE164` when asked by email.
 * `GET /auto/<id>/stats` → `{calls, byName: {name: calls}, peak}`.
 */
interface Stats {
  calls: number;
  active: number;
  peak: number;
  byName: Record<string, number>;
}

const stats = new Map<string, Stats>();

registerFakeRoute("auto", (_req, _body, url) => {
  const [, , scenario = "", action = ""] = url.pathname.split("/");
  const [id = "", ...options] = decodeURIComponent(scenario).split(";");
  const option = (key: string) => options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);
  const entry = stats.get(id) ?? { calls: 0, active: 0, peak: 0, byName: {} };
  stats.set(id, entry);
  if (action === "stats") return { status: 200, body: entry };
  if (action !== "lookup") return { status: 404, body: { error: "no such auto route" } };

  const name = url.searchParams.get("name") ?? url.searchParams.get("email") ?? url.searchParams.get("domain") ?? "someone";
  const delayMs = Number(option("delay") ?? 0);
  entry.calls++;
  entry.byName[name] = (entry.byName[name] ?? 0) + 1;
  entry.active++;
  entry.peak = Math.max(entry.peak, entry.active);
  setTimeout(() => entry.active--, delayMs);
  if (entry.calls <= Number(option("fail") ?? 0)) return { status: 503, delayMs, body: { error: "fake 503" } };
  if (name.includes("flaky") && (entry.byName[name] ?? 0) <= 3) return { status: 503, delayMs, body: { error: "fake 503" } };
  if (name.includes("fail500")) return { status: 500, delayMs, body: { error: "fake 500" } };
  if (name.includes("nodata")) return { status: 200, delayMs, body: { fields: {}, confidence: 0 } };
  const email = url.searchParams.get("email");
  return {
    status: 200,
    delayMs,
    body: {
      fields: {
        jobTitle: option("title") ?? `Chief of ${name}`,
        companyName: `${name} Holdings`,
        seniority: "cxo",
        industry: `Industry of ${name}`,
        ...(email ? { phoneE164: "+14155552671" } : {}),
      },
      confidence: Number(option("conf") ?? 0.9),
      costCents: 3,
    },
  };
});
