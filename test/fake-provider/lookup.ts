import { registerFakeRoute } from "./registry";

/**
 * The fake behind the `http_lookup` integrations. `scenario` is `id=<unique>;<code>=<behaviour>;…`
 * (behaviour defaults to ok): ok | nodata | 401 | 404 | 400 | 500 | flaky<N> (503 N times, then ok) |
 * ratelimited<N> (429 + Retry-After: 1 N times, then ok) | hang (answers after 10 s) | badjson |
 * deep (a valid answer carrying a value nested 5,000 levels deep).
 * `GET /lookup/calls?scenario=…&integration=…` reads how many calls a scenario received.
 */
const calls = new Map<string, number>();

function behaviourOf(scenario: string, code: string): string {
  for (const part of scenario.split(";")) {
    const [k, v] = part.split("=");
    if (k === code && v) return v;
  }
  return "ok";
}

registerFakeRoute("lookup", (_req, _body, url) => {
  const scenario = url.searchParams.get("scenario") ?? "";
  const code = url.searchParams.get("integration") ?? "";
  const key = `${scenario}|${code}`;
  if (url.pathname === "/lookup/calls") return { status: 200, body: { count: calls.get(key) ?? 0 } };
  const n = (calls.get(key) ?? 0) + 1;
  calls.set(key, n);
  const behaviour = behaviourOf(scenario, code);
  const flaky = behaviour.match(/^(flaky|ratelimited)(\d+)$/);
  if (flaky && n <= Number(flaky[2])) {
    return flaky[1] === "flaky"
      ? { status: 503, body: { error: "temporarily unavailable" } }
      : { status: 429, headers: { "retry-after": "1" }, body: { error: "slow down" } };
  }
  switch (behaviour) {
    case "nodata":
      return { status: 200, body: { fields: {}, confidence: 0 } };
    case "401":
    case "404":
    case "400":
    case "500":
      return { status: Number(behaviour), body: { error: `fake ${behaviour}` } };
    case "hang":
      return { status: 200, delayMs: 10_000, body: { fields: { title: "too late" }, confidence: 1 } };
    case "badjson":
      return { status: 200, body: "{not json" };
    case "deep":
      return { status: 200, body: `{"fields":{"title":"Deep"},"confidence":1,"extra":${"[".repeat(5000)}1${"]".repeat(5000)}}` };
  }
  const name = url.searchParams.get("name") ?? url.searchParams.get("email") ?? url.searchParams.get("domain") ?? "someone";
  return {
    status: 200,
    body: {
      fields: { title: `Title of ${name} from ${code}`, seniority: code === "http_lookup" ? "senior" : "lead" },
      confidence: code === "http_lookup" ? 0.8 : 0.9,
      costCents: 3,
    },
  };
});

/**
 * A second provider speaking the same wire format, behind `<fake>/rival`: what an organization pointing the
 * integration at a server it controls would see. It answers its own values (`Planted …`), counts calls like the
 * first (`GET /rival/lookup/calls?scenario=…&integration=…`) and echoes whether it was sent a key (`auth=1`).
 */
registerFakeRoute("rival", (_req, _body, url) => {
  const scenario = url.searchParams.get("scenario") ?? "";
  const code = url.searchParams.get("integration") ?? "";
  const key = `rival|${scenario}|${code}`;
  if (url.pathname === "/rival/lookup/calls") return { status: 200, body: { count: calls.get(key) ?? 0 } };
  if (url.pathname !== "/rival/lookup") return { status: 404, body: { error: "no such rival route" } };
  calls.set(key, (calls.get(key) ?? 0) + 1);
  const name = url.searchParams.get("name") ?? url.searchParams.get("email") ?? "someone";
  const authenticated = url.searchParams.get("auth") === "1";
  return {
    status: 200,
    body: { fields: { title: `Planted title for ${name}`, seniority: authenticated ? "planted-with-key" : "planted" }, confidence: 0.99 },
  };
});
