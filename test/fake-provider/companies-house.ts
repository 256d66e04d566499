import { behaviourOf, receivedAnswer, recordRequest } from "../providers/fake-recorder";
import { registerFakeRoute } from "./registry";

/**
 * Companies House public data API: GET /companies-house/company/{number}, /company/{number}/officers and
 * /search/companies?q=. Every call needs HTTP Basic auth with the key as user name and an empty password.
 * Errors as the service words them: {"error":"Invalid Authorization","type":"ch:service"} (401) and
 * {"errors":[{"error":"company-profile-not-found","type":"ch:service"}]} (404).
 */
const CH_VALID_KEY = "ch-test-key-0123456789";

const unauthorized = { status: 401, body: { error: "Invalid Authorization", type: "ch:service" } };
const notFound = { status: 404, body: { errors: [{ error: "company-profile-not-found", type: "ch:service" }] } };

function profile(number: string) {
  return {
    company_name: "EXAMPLE WIDGETS LIMITED",
    company_number: number,
    company_status: "active",
    type: "ltd",
    jurisdiction: "england-wales",
    date_of_creation: "2001-02-03",
    registered_office_address: {
      premises: "10",
      address_line_1: "Downing Street",
      address_line_2: "Westminster",
      locality: "London",
      postal_code: "SW1A 2AA",
      country: "United Kingdom",
    },
    sic_codes: ["62012", "62020"],
    previous_company_names: [{ name: "WIDGETS (UK) LIMITED", ceased_on: "2010-01-01", effective_from: "2001-02-03" }],
    has_charges: false,
    has_insolvency_history: false,
    accounts: { next_due: "2025-03-31", overdue: false },
    confirmation_statement: { next_due: "2025-02-17", overdue: false },
    can_file: true,
    etag: "abc123",
    links: { self: `/company/${number}`, officers: `/company/${number}/officers` },
  };
}

const officers = (number: string) => ({
  kind: "officer-list",
  etag: "def456",
  active_count: 2,
  resigned_count: 1,
  inactive_count: 0,
  total_results: 3,
  items_per_page: 35,
  start_index: 0,
  links: { self: `/company/${number}/officers` },
  items: [
    { name: "LOVELACE, Ada", officer_role: "director", appointed_on: "2015-06-01", nationality: "British", occupation: "Engineer", country_of_residence: "England", date_of_birth: { month: 12, year: 1970 }, address: { locality: "London" }, links: { officer: { appointments: "/officers/abc/appointments" } } },
    { name: "BABBAGE, Charles", officer_role: "secretary", appointed_on: "2016-01-01", address: { locality: "London" }, links: { officer: { appointments: "/officers/def/appointments" } } },
    { name: "OLD, Director", officer_role: "director", appointed_on: "2001-02-03", resigned_on: "2010-01-01", address: { locality: "London" }, links: { officer: { appointments: "/officers/ghi/appointments" } } },
  ],
});

registerFakeRoute("companies-house", (req, body, url) => {
  const seen = receivedAnswer("companies-house", url);
  if (seen) return seen;
  const [, , resource = "", number = "", sub] = url.pathname.split("/");
  const key = resource === "search" ? (url.searchParams.get("q") ?? "") : sub ? `${number}/${sub}` : number;
  const n = recordRequest("companies-house", key, req, body, url);
  if (req.headers.authorization !== `Basic ${Buffer.from(`${CH_VALID_KEY}:`).toString("base64")}`) return unauthorized;
  const b = behaviourOf(resource === "search" ? key : number, n);
  if (b.kind === "status") {
    return { status: b.status, headers: b.retryAfter ? { "retry-after": b.retryAfter } : {}, body: b.status === 404 ? notFound.body : { errors: [{ error: `status-${b.status}`, type: "ch:service" }] } };
  }
  if (resource === "search" && number === "companies") {
    const q = key;
    const items = b.kind === "empty" ? [] : [
      { kind: "searchresults#company", title: `${q.toUpperCase()} HOLDINGS LIMITED`, company_number: "09999999", company_status: "active", company_type: "ltd", address_snippet: "1 Elsewhere, Leeds", date_of_creation: "2019-01-01" },
      { kind: "searchresults#company", title: `${q.toUpperCase().replace(/ LTD$/, " LIMITED")}`, company_number: "0".repeat(2) + "123456", company_status: "active", company_type: "ltd", address_snippet: "10 Downing Street, London", date_of_creation: "2001-02-03" },
    ];
    return { status: 200, body: { kind: "search#companies", total_results: items.length, items_per_page: 10, start_index: 0, items } };
  }
  if (resource !== "company" || !number) return notFound;
  if (sub === "officers") return b.kind === "empty" ? notFound : { status: 200, body: officers(number) };
  if (b.kind === "empty") return notFound;
  return { status: 200, body: profile(number) };
});
