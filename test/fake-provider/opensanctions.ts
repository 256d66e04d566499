import { behaviourOf, receivedAnswer, recordRequest } from "../providers/fake-recorder";
import { registerFakeRoute } from "./registry";

/**
 * OpenSanctions / yente `POST /opensanctions/match/{dataset}` with {queries:{q1:{schema, properties}}}.
 * Names starting "sanc" get an OFAC-listed match (0.93) and a weak PEP (0.55), "zpep" a strong PEP (0.86),
 * "x401" needs `Authorization: ApiKey <key>`; the others get weak candidates only. Errors: {"detail": "…"}.
 */
const DETAILS: Record<number, string> = {
  401: "Invalid API key. Please check your API key and try again.",
  429: "Rate limit exceeded",
  500: "Internal server error",
  503: "Service temporarily unavailable",
};

function candidate(id: string, caption: string, schema: string, score: number, topics: string[], datasets: string[], threshold: number) {
  return {
    id,
    caption,
    schema,
    properties: { name: [caption], topics, country: ["ru"] },
    datasets,
    referents: [`ofac-${id}`],
    target: true,
    first_seen: "2022-03-01T00:00:00",
    last_seen: "2024-05-01T00:00:00",
    last_change: "2024-04-01T00:00:00",
    score,
    features: { person_name_jaro_winkler: score, country_mismatch: 0 },
    match: score >= threshold,
  };
}

registerFakeRoute("opensanctions", (req, body, url) => {
  const seen = receivedAnswer("opensanctions", url);
  if (seen) return seen;
  const dataset = url.pathname.split("/")[3];
  if (req.method !== "POST" || url.pathname.split("/")[2] !== "match" || !dataset) return { status: 404, body: { detail: "Not Found" } };
  const payload = JSON.parse(body || "{}") as { queries?: Record<string, { schema: string; properties: Record<string, string[]> }> };
  const query = payload.queries?.q1;
  const name = query?.properties.name?.[0] ?? "";
  const b = behaviourOf(name, recordRequest("opensanctions", name, req, body, url));
  const authorized = /^ApiKey \S+$/.test(req.headers.authorization ?? "");
  if (b.kind === "status" || (name.toLowerCase().startsWith("x401") && !authorized)) {
    const status = b.kind === "status" ? b.status : 401;
    return { status, headers: b.kind === "status" && b.retryAfter ? { "retry-after": b.retryAfter } : {}, body: { detail: DETAILS[status] ?? "Error" } };
  }
  const threshold = Number(url.searchParams.get("threshold") ?? 0.7);
  const lower = name.toLowerCase();
  const results = lower.startsWith("sanc")
    ? [
        candidate("NK-sanc1", name, query?.schema ?? "Person", 0.93, ["sanction", "crime"], ["us_ofac_sdn", "eu_fsf"], threshold),
        candidate("Q-pep2", `${name} Jr`, "Person", 0.55, ["role.pep"], ["wd_peps"], threshold),
      ]
    : lower.startsWith("zpep")
      ? [candidate("Q-pep1", name, "Person", 0.86, ["role.pep"], ["wd_peps", "every_politician"], threshold)]
      : b.kind === "empty"
        ? []
        : [candidate("NK-weak", "Someone Else", "Person", 0.31, ["sanction"], ["us_ofac_sdn"], threshold)];
  return {
    status: 200,
    body: {
      responses: { q1: { status: 200, results, total: { value: results.length, relation: "eq" }, query: { id: null, ...query } } },
      matcher: { name_literal_match: { description: "Two entities have the same name", coefficient: 1, url: "https://example.org" } },
      limit: Number(url.searchParams.get("limit") ?? 5),
    },
  };
});
