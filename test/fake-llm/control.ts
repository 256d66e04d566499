import { registerFakeRoute } from "../fake-provider/registry";
import { requestsOf, scripts, statsOf } from "./scenario";

/**
 * The fake LLMs' control surface (scope = the spec's `id`):
 *   GET  /fake-llm/calls?id=     → {total, byModel: {"provider::model": n}, byOutcome: {ok|<fail>: n},
 *                                   byKey: {"provider::model|outcome": n}, inFlight, peakInFlight}
 *   GET  /fake-llm/requests?id=  → every request recorded for the id: {provider, model, path, headers, body, outcome}
 *   POST /fake-llm/script {id, answers: {<model>|"*": {<dotted.path>: value, $fail?: <fail>}}} → scripted answers
 */
registerFakeRoute("fake-llm", (req, body, url) => {
  const id = url.searchParams.get("id") ?? "";
  if (url.pathname === "/fake-llm/calls") return { status: 200, body: statsOf(id) };
  if (url.pathname === "/fake-llm/requests") return { status: 200, body: requestsOf(id) };
  if (url.pathname === "/fake-llm/script" && req.method === "POST") {
    const parsed = JSON.parse(body || "{}") as { id?: string; answers?: Record<string, Record<string, unknown>> };
    if (!parsed.id || !parsed.answers) return { status: 400, body: { error: "id and answers are required" } };
    scripts.set(parsed.id, parsed.answers);
    return { status: 204 };
  }
  return { status: 404, body: { error: "no such fake-llm route" } };
});
