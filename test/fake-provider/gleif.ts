import { type Behaviour, behaviourOf, receivedAnswer, recordRequest } from "../providers/fake-recorder";
import { type FakeAnswer, registerFakeRoute } from "./registry";

/**
 * GLEIF API v1 (JSON:API, content type application/vnd.api+json):
 * GET /gleif/api/v1/lei-records/{lei}, /lei-records/{lei}/direct-parent, /lei-records/{lei}/ultimate-parent,
 * GET /gleif/api/v1/lei-records?filter[entity.legalName]=…&page[size]=…
 * LEIs starting "PAR" have parents; names get three candidates (the exact name in US and GB, and a longer one).
 */
const API = "https://api.gleif.org/api/v1";
const JSON_API = { "content-type": "application/vnd.api+json" };
const GLEIF_DIRECT_PARENT = "5493000DIRECTPARNT07";
const GLEIF_ULTIMATE_PARENT = "5493000ULTIMATEPAR08";

const TITLES: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable" };

function address(city: string, country: string, postalCode: string) {
  return {
    language: "en",
    addressLines: ["1 Example Street", "Floor 2"],
    addressNumber: null,
    addressNumberWithinBuilding: null,
    mailRouting: null,
    city,
    region: country === "US" ? "US-DE" : null,
    country,
    postalCode,
  };
}

function leiRecord(lei: string, name: string, country = "GB", withParents = false) {
  const link = (kind: string) =>
    withParents
      ? { links: { "relationship-record": `${API}/lei-records/${lei}/${kind}-relationship`, "lei-record": `${API}/lei-records/${lei}/${kind}` } }
      : { links: { "reporting-exception": `${API}/lei-records/${lei}/${kind}-reporting-exception` } };
  return {
    type: "lei-records",
    id: lei,
    attributes: {
      lei,
      entity: {
        legalName: { name, language: "en" },
        otherNames: [{ name: `${name} Trading`, language: "en", type: "TRADING_OR_OPERATING_NAME" }],
        transliteratedOtherNames: [],
        legalAddress: address(country === "GB" ? "London" : "Wilmington", country, country === "GB" ? "EC1A 1AA" : "19801"),
        headquartersAddress: address(country === "GB" ? "Manchester" : "New York", country, country === "GB" ? "M1 1AA" : "10001"),
        registeredAt: { id: country === "GB" ? "RA000585" : "RA000602", other: null },
        registeredAs: country === "GB" ? "01234567" : "7654321",
        jurisdiction: country === "GB" ? "GB" : "US-DE",
        category: "GENERAL",
        legalForm: { id: country === "GB" ? "H0PO" : "XTIQ", other: null },
        associatedEntity: { lei: null, name: null },
        status: "ACTIVE",
        expiration: { date: null, reason: null },
        successorEntity: { lei: null, name: null },
        successorEntities: [],
        creationDate: "2001-02-03T00:00:00Z",
        subCategory: null,
        otherAddresses: [],
        eventGroups: [],
      },
      registration: {
        initialRegistrationDate: "2014-01-01T00:00:00Z",
        lastUpdateDate: "2024-05-01T08:00:00Z",
        status: "ISSUED",
        nextRenewalDate: "2025-05-01T00:00:00Z",
        managingLou: "213800WAVVOPS85N2205",
        corroborationLevel: "FULLY_CORROBORATED",
        validatedAt: { id: "RA000585", other: null },
        validatedAs: "01234567",
        otherValidationAuthorities: [],
      },
      bic: null,
      mic: null,
      ocid: null,
      spglobal: [],
      conformityFlag: "CONFORMING",
    },
    relationships: {
      "managing-lou": { links: { related: `${API}/lei-records/${lei}/managing-lou` } },
      "lei-issuer": { links: { related: `${API}/lei-issuers/213800WAVVOPS85N2205` } },
      "field-modifications": { links: { related: `${API}/lei-records/${lei}/field-modifications` } },
      "direct-parent": link("direct-parent"),
      "ultimate-parent": link("ultimate-parent"),
    },
    links: { self: `${API}/lei-records/${lei}` },
  };
}

function failure(b: Behaviour): FakeAnswer | undefined {
  if (b.kind !== "status") return undefined;
  return {
    status: b.status,
    headers: { ...JSON_API, ...(b.retryAfter ? { "retry-after": b.retryAfter } : {}) },
    body: { errors: [{ status: String(b.status), title: TITLES[b.status] ?? "Error" }] },
  };
}

registerFakeRoute("gleif", (req, body, url) => {
  const seen = receivedAnswer("gleif", url);
  if (seen) return seen;
  const parts = url.pathname.split("/").slice(5);
  if (url.pathname === "/gleif/api/v1/lei-records") {
    const name = url.searchParams.get("filter[entity.legalName]") ?? "";
    const b = behaviourOf(name, recordRequest("gleif", name, req, body, url));
    const meta = (total: number) => ({ goldenCopy: { publishDate: "2024-05-01T00:00:00Z" }, pagination: { currentPage: 1, perPage: 10, from: total ? 1 : null, to: total || null, total, lastPage: 1 } });
    if (b.kind === "empty") return { status: 200, headers: JSON_API, body: { meta: meta(0), links: { first: `${API}/lei-records` }, data: [] } };
    const fail = failure(b);
    if (fail) return fail;
    const data = [leiRecord("5493001KJTIIGC8Y1R12", name, "US"), leiRecord("213800ABCDEFGHIJKL34", name, "GB", true), leiRecord("213800ZZZZZZZZZZZZ99", `${name} Holdings`, "GB")];
    return { status: 200, headers: JSON_API, body: { meta: meta(3), links: { first: `${API}/lei-records` }, data } };
  }
  const [lei = "", kind] = parts;
  if (!lei) return { status: 404, headers: JSON_API, body: { errors: [{ status: "404", title: "Not Found" }] } };
  if (kind === "direct-parent" || kind === "ultimate-parent") {
    recordRequest("gleif", `${lei}/${kind}`, req, body, url);
    const parent = kind === "direct-parent" ? GLEIF_DIRECT_PARENT : GLEIF_ULTIMATE_PARENT;
    return { status: 200, headers: JSON_API, body: { data: leiRecord(parent, kind === "direct-parent" ? "Parent Holdings Ltd" : "Ultimate Group plc") } };
  }
  const b = behaviourOf(lei, recordRequest("gleif", lei, req, body, url));
  const fail = failure(b.kind === "empty" ? { kind: "status", status: 404 } : b);
  if (fail) return fail;
  return { status: 200, headers: JSON_API, body: { meta: { goldenCopy: { publishDate: "2024-05-01T00:00:00Z" } }, data: leiRecord(lei, "Example Widgets Ltd", "GB", lei.startsWith("PAR")) } };
});
