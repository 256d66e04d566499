import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN, call } from "../helpers/api";
import { type BadCase, badInputCases } from "./bad-inputs";
import { contractProblems } from "./checks";
import { type OpenApiDocument, type Operation, accessOf, operationsOf, pathParams, resourceOf } from "./document";
import { type Api, type ApiResponse, type Fixture, type Org, buildFixture, createOrgWithKeys, fixtureValues, loadSanctionsList } from "./fixtures";
import { inBatches, validRequest } from "./requests";
import { validBodies } from "./valid-bodies";

/**
 * Malformed input to every operation of the served document, generated from it (see bad-inputs.ts): wrong
 * types, missing and unknown fields, oversize strings, deep nesting, invalid JSON, wrong content types, bad ids
 * and cursors. Never a 5xx, only declared statuses, always the Error shape with small details.
 */
const api: Api = { call, adminToken: TEST_ADMIN_TOKEN, fakeUrl: env.FAKE_PROVIDER_URL };
const sample = { urlBase: env.FAKE_PROVIDER_URL };
const doc = (await call("GET", "/openapi.json")).json as OpenApiDocument;
const operations = operationsOf(doc);
const varied = operations.filter((op) => op.parameters.length > 0 || op.raw.requestBody);

let org: Org;
let fixture: Fixture;
const sent = { requests: 0, operations: new Set<string>(), fiveHundreds: 0 };

beforeAll(async () => {
  await loadSanctionsList(api);
  org = await createOrgWithKeys(api, "Bad input");
  fixture = await buildFixture(api, org);
}, 60_000);

afterAll(() => {
  console.log(`bad-input suite: ${sent.operations.size} of ${operations.length} operations (${varied.length} take input), ${sent.requests} requests, ${sent.fiveHundreds} answered 5xx`);
});

async function send(op: Operation, path: string, options: Parameters<typeof call>[2]): Promise<ApiResponse> {
  const res = await call(op.method, path, options);
  sent.requests++;
  sent.operations.add(op.id);
  if (res.status >= 500) sent.fiveHundreds++;
  return res;
}

/** What is wrong with one case's answer; empty when it is what the document promises. */
function caseProblems(op: Operation, badCase: BadCase, res: Pick<ApiResponse, "status" | "json" | "text">): string[] {
  const problems = contractProblems(op, res);
  const { expect: want } = badCase;
  if (want === "4xx" && (res.status < 400 || res.status >= 500)) problems.push(`expected a 4xx, got ${res.status}`);
  if (typeof want === "number" && res.status !== want) problems.push(`expected ${want}, got ${res.status}: ${res.text.slice(0, 200)}`);
  if (badCase.detailPath && res.status === 400 && Array.isArray(res.json?.error?.details)) {
    const paths = res.json.error.details.map((d: { path?: unknown }) => String(d.path ?? ""));
    if (!paths.some((p: string) => p === badCase.detailPath || p.startsWith(`${badCase.detailPath}.`) || badCase.detailPath?.startsWith(`${p}.`))) {
      problems.push(`no detail names ${badCase.detailPath}: ${paths.slice(0, 5).join(", ")}`);
    }
  }
  // A `{detail}` error (x-error-shape) names each field in its text as `path: why`.
  const detail = res.json?.detail;
  if (badCase.detailPath && res.status === 400 && typeof detail === "string") {
    const path = badCase.detailPath;
    const named = detail.includes(`${path}: `) || detail.includes(`${path}.`) || path.split(".").some((_, i, parts) => detail.includes(`${parts.slice(0, i + 1).join(".")}: `));
    if (!named) problems.push(`detail does not name ${path}: ${detail.slice(0, 200)}`);
  }
  return problems.map((p) => `${badCase.label}: ${p}`);
}

const credentialsFor = (op: Operation) =>
  accessOf(op, doc).kind === "operator" ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } : { authorization: `Bearer ${org.adminKey}` };

describe("the generated bad-input suite can fail", () => {
  const op: Operation = { method: "POST", path: "/v1/x", id: "POST /v1/x", raw: { responses: { "201": {}, "400": {} } }, parameters: [] };
  const badCase: BadCase = { label: "wrong type for name", path: "/v1/x", options: {}, expect: 400, detailPath: "name" };
  const error = (details: unknown) => ({ error: { code: "VALIDATION_ERROR", message: "Invalid", details } });

  it("accepts a documented 400 naming the field", () => {
    expect(caseProblems(op, badCase, { status: 400, json: error([{ path: "name" }]), text: "{}" })).toEqual([]);
  });

  it("reports a 500, an accepted bad input, a 400 that names another field and an oversized error", () => {
    expect(caseProblems(op, badCase, { status: 500, json: undefined, text: "" }).join()).toMatch(/answered 500/);
    expect(caseProblems(op, badCase, { status: 201, json: {}, text: "{}" }).join()).toMatch(/expected 400, got 201/);
    expect(caseProblems(op, badCase, { status: 400, json: error([{ path: "other" }]), text: "{}" }).join()).toMatch(/no detail names name/);
    const huge = JSON.stringify(error(Array.from({ length: 2_000 }, (_, i) => ({ path: `f${i}`, message: "Unknown field" }))));
    expect(caseProblems(op, { ...badCase, detailPath: undefined }, { status: 400, json: JSON.parse(huge), text: huge }).join()).toMatch(/error body of/);
  });

  it("reads a {detail} error's text for the field (x-error-shape)", () => {
    const detailOp: Operation = { ...op, raw: { ...op.raw, "x-error-shape": "detail" } };
    expect(caseProblems(detailOp, badCase, { status: 400, json: { detail: "Request validation failed: name: Required" }, text: "{}" })).toEqual([]);
    expect(caseProblems(detailOp, badCase, { status: 400, json: { detail: "Request validation failed: other: Required" }, text: "{}" }).join()).toMatch(/detail does not name name/);
  });
});

describe.each(varied)("$id", (op) => {
  it("answers every malformed variant with a documented 4xx in the Error shape", async () => {
    const values = Object.fromEntries(pathParams(op).map((p) => [p.name, fixtureValues(fixture, resourceOf(op.path, p.name))[0] as string]));
    const base = validRequest(doc, op, fixture, sample, credentialsFor(op), values, validBodies(fixture));
    const cases = badInputCases(doc, op, base, values);
    expect(cases.length).toBeGreaterThan(0);
    const answers = await inBatches(cases.map((c) => () => send(op, c.path, c.options)), 6);
    const problems = cases.flatMap((c, i) => caseProblems(op, c, answers[i] as ApiResponse));
    expect(`${problems.length} of ${cases.length} cases failed\n${problems.join("\n")}`).toBe(`0 of ${cases.length} cases failed\n`);
  });
});

describe("after all of it", () => {
  const reads = operations.filter((op) => op.method === "GET" && !op.raw.responses["200"]?.content?.["text/event-stream"]);

  it.each(reads)("$id still answers", async (op) => {
    const res = await send(op, validRequest(doc, op, fixture, sample, credentialsFor(op)).path, { headers: credentialsFor(op) });
    expect(contractProblems(op, res)).toEqual([]);
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  });
});
