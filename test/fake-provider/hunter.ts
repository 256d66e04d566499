import { type Behaviour, behaviourOf, receivedAnswer, recordRequest } from "../providers/fake-recorder";
import { type FakeAnswer, registerFakeRoute } from "./registry";

/**
 * Hunter API v2: GET /hunter/v2/email-finder?domain|company&first_name&last_name|full_name and
 * GET /hunter/v2/email-verifier?email=. The key comes as `api_key` or the `X-API-KEY` header. Errors are
 * {"errors":[{"id","code","details"}]}; 403 is Hunter's rate limit and 429 its usage (plan) limit.
 * Finder lookups are keyed by domain (or company), verifier lookups by email; a local part starting
 * "catchall" verifies as accept_all.
 */
const ERRORS: Record<number, { id: string; details: string }> = {
  401: { id: "authentication_failed", details: "No user found for the API key supplied" },
  403: { id: "restricted_account", details: "You have reached the rate limit. Slow down your requests" },
  404: { id: "not_found", details: "The requested resource does not exist" },
  429: { id: "too_many_requests", details: "You have reached your usage limit. Upgrade your plan if necessary." },
  451: { id: "claimed_email", details: "The person behind this email address has asked us directly to stop processing it" },
  500: { id: "internal_error", details: "Something went wrong on Hunter's end" },
};

function failure(b: Behaviour): FakeAnswer | undefined {
  if (b.kind !== "status" || b.status === 202) return undefined;
  const e = ERRORS[b.status] ?? { id: "error", details: "Error" };
  // Hunter documents no Retry-After for its usage limit (x429); y429 plays one that says when to come back.
  const retryAfter = b.status === 429 && b.retryAfter === "30" ? undefined : b.retryAfter;
  return { status: b.status, headers: retryAfter ? { "retry-after": retryAfter } : {}, body: { errors: [{ id: e.id, code: b.status, details: e.details }] } };
}

function finder(q: URLSearchParams, b: Behaviour) {
  const domain = q.get("domain") ?? "example.com";
  const first = (q.get("first_name") ?? q.get("full_name")?.split(" ")[0] ?? "").toLowerCase();
  const last = (q.get("last_name") ?? q.get("full_name")?.split(" ").slice(1).join("") ?? "").toLowerCase();
  const found = b.kind !== "empty";
  return {
    data: {
      first_name: q.get("first_name") ?? null,
      last_name: q.get("last_name") ?? null,
      email: found ? `${first}.${last}@${domain}` : null,
      score: found ? 91 : null,
      domain,
      accept_all: false,
      position: found ? "Chief Technology Officer" : null,
      twitter: found ? "adalovelace" : null,
      linkedin_url: found ? "https://www.linkedin.com/in/ada-lovelace" : null,
      phone_number: found ? "+442071234567" : null,
      company: found ? "Example Widgets" : null,
      sources: found ? [{ domain, uri: `https://${domain}/team`, extracted_on: "2024-01-01", last_seen_on: "2024-05-01", still_on_page: true }] : [],
      verification: { date: found ? "2024-05-01" : null, status: found ? "valid" : null },
    },
    meta: { params: { first_name: q.get("first_name"), last_name: q.get("last_name"), full_name: q.get("full_name"), domain: q.get("domain"), company: q.get("company"), max_duration: null } },
  };
}

function verifier(email: string) {
  const catchAll = email.startsWith("catchall");
  return {
    data: {
      status: catchAll ? "accept_all" : "valid",
      result: catchAll ? "risky" : "deliverable",
      _deprecation_notice: "Using result is deprecated, use status instead",
      score: catchAll ? 70 : 96,
      email,
      regexp: true,
      gibberish: false,
      disposable: false,
      webmail: false,
      mx_records: true,
      smtp_server: true,
      smtp_check: !catchAll,
      accept_all: catchAll,
      block: false,
      sources: [{ domain: "example.com", uri: "https://example.com/contact", extracted_on: "2024-01-01", last_seen_on: "2024-05-01", still_on_page: true }],
    },
    meta: { params: { email } },
  };
}

registerFakeRoute("hunter", (req, body, url) => {
  const seen = receivedAnswer("hunter", url);
  if (seen) return seen;
  const endpoint = url.pathname.replace(/^\/hunter\/v2\//, "");
  const q = url.searchParams;
  const key = endpoint === "email-verifier" ? (q.get("email") ?? "") : (q.get("domain") ?? q.get("company") ?? "");
  const n = recordRequest("hunter", key, req, body, url);
  const apiKey = q.get("api_key") ?? req.headers["x-api-key"];
  if (!apiKey || apiKey === "revoked") return failure({ kind: "status", status: 401 });
  const b = behaviourOf(key, n);
  if (b.kind === "status" && b.status === 202) return { status: 202, body: { data: { email: key, status: "unknown" } } };
  const fail = failure(b);
  if (fail) return fail;
  if (endpoint === "email-finder") return { status: 200, body: finder(q, b) };
  if (endpoint === "email-verifier") return { status: 200, body: verifier(key) };
  return failure({ kind: "status", status: 404 });
});
