import { type FakeAnswer, registerFakeRoute } from "./registry";

/**
 * A customer's export of entities, for `POST /v1/entity-sources/fetch`:
 *   GET /entity-source/json?n=3       → a JSON array of n companies
 *   GET /entity-source/wrapped        → {data: {items: [...]}}
 *   GET /entity-source/csv            → text/csv with a header row
 *   GET /entity-source/auth/bearer    → 401 unless `Authorization: Bearer s3cret-token`
 *   GET /entity-source/auth/basic     → 401 unless Basic ada:pw-123
 *   GET /entity-source/auth/key       → 401 unless `X-Export-Key: k3y`
 *   GET /entity-source/big            → 6 MiB of JSON
 *   GET /entity-source/object         → a JSON object, not a list
 *   GET /entity-source/many           → 1,001 items
 *   GET /entity-source/redirect       → 302 to a private address
 */
const companies = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Company ${i}`, country: i % 2 ? "US" : "DE", founded: 1990 + i }));

registerFakeRoute("entity-source", (req, _body, url): FakeAnswer => {
  const denied: FakeAnswer = { status: 401, body: { error: "unauthorized" } };
  switch (url.pathname) {
    case "/entity-source/json":
      return { status: 200, body: companies(Number(url.searchParams.get("n") ?? 3)) };
    case "/entity-source/wrapped":
      return { status: 200, body: { data: { items: companies(2) } } };
    case "/entity-source/csv":
      return { status: 200, headers: { "content-type": "text/csv" }, body: "name,country,founded\nAcme,US,1999\nGlobex,,2001\n" };
    case "/entity-source/auth/bearer":
      return req.headers.authorization === "Bearer s3cret-token" ? { status: 200, body: companies(1) } : denied;
    case "/entity-source/auth/basic":
      return req.headers.authorization === `Basic ${Buffer.from("ada:pw-123").toString("base64")}` ? { status: 200, body: companies(1) } : denied;
    case "/entity-source/auth/key":
      return req.headers["x-export-key"] === "k3y" ? { status: 200, body: companies(1) } : denied;
    case "/entity-source/big":
      return { status: 200, body: `[${Array.from({ length: 60_000 }, () => JSON.stringify({ name: "x".repeat(90) })).join(",")}]` };
    case "/entity-source/object":
      return { status: 200, body: { not: "a list" } };
    case "/entity-source/many":
      return { status: 200, body: companies(1001) };
    case "/entity-source/redirect":
      return { status: 302, headers: { location: "http://10.0.0.1/export.json" } };
    default:
      return { status: 404, body: { error: "no such export" } };
  }
});
