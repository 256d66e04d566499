import { behaviourOf, receivedAnswer, recordRequest } from "../providers/fake-recorder";
import { type FakeAnswer, registerFakeRoute } from "./registry";

/**
 * People Data Labs v5: GET /pdl/v5/person/enrich and /pdl/v5/company/enrich with the key in `X-Api-Key`.
 * Matches have likelihood 8 (person) and 7 (company); a `min_likelihood` above that is a 404, as PDL does.
 * Errors: {"status":N,"error":{"type","message"}}. Lookups are keyed by email, profile, name (person) or
 * website, name (company); "free" emails answer like a free plan (`true` for hidden contact fields).
 */
const ERRORS: Record<number, { type: string; message: string }> = {
  401: { type: "authentication_error", message: "No API key found in request" },
  402: { type: "payment_required", message: "You have hit your account maximum for person enrichment (all matches used)" },
  404: { type: "not_found", message: "No records were found matching your request" },
  429: { type: "rate_limit_error", message: "An error occurred due to requests hitting the API too quick" },
  500: { type: "api_error", message: "An error occurred on PDL's end" },
  503: { type: "api_error", message: "Service temporarily unavailable" },
};

const error = (status: number, retryAfter?: string): FakeAnswer => ({
  status,
  headers: retryAfter ? { "retry-after": retryAfter } : undefined,
  body: { status, error: ERRORS[status] ?? { type: "error", message: "Error" } },
});

function person(q: URLSearchParams, free: boolean) {
  return {
    id: "qEnOZ5Oh0poWnQ1luFBfVw_0000",
    full_name: "Ada Lovelace",
    first_name: "Ada",
    middle_initial: null,
    last_name: "Lovelace",
    sex: "female",
    linkedin_url: "linkedin.com/in/ada-lovelace",
    linkedin_username: "ada-lovelace",
    facebook_url: null,
    twitter_url: "twitter.com/ada",
    github_url: "github.com/ada",
    work_email: free ? true : (q.get("email") ?? "ada@example.com"),
    personal_emails: free ? true : ["ada.lovelace@gmail.com"],
    mobile_phone: free ? true : "+14155552671",
    industry: "computer software",
    job_title: "Chief Technology Officer",
    job_title_role: "engineering",
    job_title_sub_role: null,
    job_title_levels: ["cxo"],
    job_company_name: "Example Widgets",
    job_company_website: "examplewidgets.com",
    job_company_industry: "computer software",
    location_name: "London, England, United Kingdom",
    location_country: "united kingdom",
    skills: ["mathematics", "analytical engines", "programming"],
    experience: [{ company: { name: "Example Widgets" }, title: { name: "chief technology officer" }, start_date: "2019-01", is_primary: true }],
    education: [],
  };
}

const company = (website: string) => ({
  status: 200,
  name: "Example Widgets",
  display_name: "Example Widgets",
  size: "51-200",
  employee_count: 120,
  id: "tnHcNHbCv8MKeLh92946LAkX6PKg",
  founded: 2005,
  industry: "computer software",
  naics: [{ naics_code: "541511" }],
  sic: [{ sic_code: "7371" }],
  location: {
    name: "san francisco, california, united states",
    locality: "san francisco",
    region: "california",
    country: "united states",
    street_address: "1 market street",
    postal_code: "94105",
  },
  linkedin_id: "12345",
  linkedin_url: "linkedin.com/company/example-widgets",
  facebook_url: null,
  twitter_url: "twitter.com/examplewidgets",
  website,
  ticker: null,
  type: "private",
  summary: "Example Widgets makes widgets for examples.",
  tags: ["widgets"],
  headline: "Widgets for everyone",
  alternative_names: ["example widgets inc"],
  alternative_domains: [],
  affiliated_profiles: [],
  likelihood: 7,
});

registerFakeRoute("pdl", (req, body, url) => {
  const seen = receivedAnswer("pdl", url);
  if (seen) return seen;
  const q = url.searchParams;
  const kind = url.pathname.replace(/^\/pdl\/v5\//, "");
  const key = kind === "company/enrich" ? (q.get("website") ?? q.get("name") ?? "") : (q.get("email") ?? q.get("profile") ?? q.get("name") ?? q.get("phone") ?? "");
  const n = recordRequest("pdl", key, req, body, url);
  if (!req.headers["x-api-key"] && !q.get("api_key")) return error(401);
  const b = behaviourOf(key, n);
  if (b.kind === "status") return error(b.status, b.retryAfter);
  const likelihood = kind === "company/enrich" ? 7 : 8;
  if (b.kind === "empty" || Number(q.get("min_likelihood") ?? 0) > likelihood) return error(404);
  if (kind === "person/enrich") return { status: 200, body: { status: 200, likelihood, data: person(q, key.toLowerCase().startsWith("free")), dataset_version: "29.0" } };
  if (kind === "company/enrich") return { status: 200, body: company(q.get("website") ?? "examplewidgets.com") };
  return error(404);
});
