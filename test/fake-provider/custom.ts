import { behaviourOf, receivedAnswer, recordRequest } from "../providers/fake-recorder";
import { registerFakeRoute } from "./registry";

/**
 * An organization's own JSON API, for `http_json` integrations. Its answers quote the Authorization header
 * they received, as careless APIs do, so tests can prove secrets are redacted.
 * GET /custom/people?email= → {data:{person:{title, tier, score}}, meta:{receivedAuthorization}} (keyed by email);
 * POST /custom/companies {name, domain} → {found, result:{employees, segment}} (keyed by name; "nobody…" → found:false);
 * GET /custom/redirect → 302 to a metadata address.
 */
registerFakeRoute("custom", (req, body, url) => {
  const seen = receivedAnswer("custom", url);
  if (seen) return seen;
  const auth = req.headers.authorization ?? null;
  if (url.pathname === "/custom/redirect") {
    recordRequest("custom", "redirect", req, body, url);
    return { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } };
  }
  if (url.pathname === "/custom/people" && req.method === "GET") {
    const email = url.searchParams.get("email") ?? "";
    const b = behaviourOf(email, recordRequest("custom", email, req, body, url));
    if (b.kind === "status") {
      return { status: b.status, headers: b.retryAfter ? { "retry-after": b.retryAfter } : {}, body: { error: `request refused (authorization was: ${auth})` } };
    }
    const person = b.kind === "empty" ? null : { title: "Head of Widgets", tier: "gold", score: 87, tags: [] };
    return { status: 200, body: { data: { person }, meta: { receivedAuthorization: auth } } };
  }
  if (url.pathname === "/custom/companies" && req.method === "POST") {
    const payload = JSON.parse(body || "{}") as { name?: string };
    const name = payload.name ?? "";
    recordRequest("custom", name, req, body, url);
    if (name.toLowerCase().startsWith("nobody")) return { status: 200, body: { found: false, result: null } };
    return { status: 200, body: { found: true, result: { employees: 250, segment: "enterprise" } } };
  }
  return { status: 404, body: { error: "no such custom route" } };
});
