import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN, call } from "../helpers/api";
import { contractProblems, errorCodeOf } from "./checks";
import { type OpenApiDocument, type Operation, accessOf, operationsOf, pathParams, resourceOf, rolesBelow, unknownIdStatus } from "./document";
import { type Api, type ApiResponse, type Fixture, type Org, buildFixture, createOrgWithKeys, fixtureValues, loadSanctionsList, unknownLike } from "./fixtures";
import { type PreparedRequest, inBatches, validRequest } from "./requests";

/**
 * The authorization matrix of every operation in the served document, generated from it: who may call it
 * (`security`, `x-min-role`), what a stranger gets (401), what a lesser key gets (403), and what another
 * organization's ids look like (exactly an unknown id's 404). A new route is covered by being documented.
 */
const api: Api = { call, adminToken: TEST_ADMIN_TOKEN, fakeUrl: env.FAKE_PROVIDER_URL };
const sample = { urlBase: env.FAKE_PROVIDER_URL };
const doc = (await call("GET", "/openapi.json")).json as OpenApiDocument;
const operations = operationsOf(doc);

let a: Org;
let b: Org;
/** Calls the operations that create what their path names, so what they create cannot change another test's answer. */
let c: Org;
let fixtureA: Fixture;
let fixtureB: Fixture;
const sent = { requests: 0, operations: new Set<string>(), fiveHundreds: 0 };

beforeAll(async () => {
  await loadSanctionsList(api);
  [a, b, c] = await Promise.all([createOrgWithKeys(api, "Contract A"), createOrgWithKeys(api, "Contract B"), createOrgWithKeys(api, "Contract C")]);
  [fixtureA, fixtureB] = await Promise.all([buildFixture(api, a), buildFixture(api, b)]);
}, 60_000);

afterAll(() => {
  console.log(`authorization suite: ${sent.operations.size} of ${operations.length} operations, ${sent.requests} requests, ${sent.fiveHundreds} answered 5xx`);
});

async function send(op: Operation, request: PreparedRequest): Promise<ApiResponse> {
  const res = await call(request.method, request.path, request.options);
  sent.requests++;
  sent.operations.add(op.id);
  if (res.status >= 500) sent.fiveHundreds++;
  return res;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Credentials that are not an API key of anyone, each with the reason it is refused. */
const strangers: [string, () => Record<string, string>][] = [
  ["no credentials", () => ({})],
  ["a well-formed key that does not exist", () => bearer(`dsr_live_${"0".repeat(40)}`)],
  ["garbage", () => bearer("garbage")],
  ["garbage in X-API-Key", () => ({ "x-api-key": "dsr_live_not-a-key" })],
  ["a Basic scheme", () => ({ authorization: `Basic ${btoa("user:pass")}` })],
];

describe("the generated authorization suite can fail", () => {
  const op = (raw: Operation["raw"]): Operation => ({ method: "GET", path: "/v1/new-thing", id: "GET /v1/new-thing", raw, parameters: [] });

  it("reports an API-key operation that does not name its least role", () => {
    expect(() => accessOf(op({ responses: {} }), { security: [{ apiKey: [] }] })).toThrow(/x-min-role/);
    expect(() => accessOf(op({ security: [{ apiKey: [] }], responses: {}, "x-min-role": "owner" }), {})).toThrow(/x-min-role/);
    expect(accessOf(op({ security: [], responses: {} }), { security: [{ apiKey: [] }] })).toEqual({ kind: "public" });
  });

  it("reports a path parameter the fixture does not know", () => {
    expect(() => fixtureValues(new Map(), resourceOf("/v1/widgets/{widgetId}", "widgetId"))).toThrow(/No fixture for widgets\/\{widgetId\}/);
  });

  it("reports a 5xx, an undeclared status and a body that is not the Error shape", () => {
    const declared = op({ responses: { "200": {}, "404": {} } });
    expect(contractProblems(declared, { status: 404, json: { error: { code: "NOT_FOUND", message: "x" } }, text: "{}" })).toEqual([]);
    expect(contractProblems(declared, { status: 500, json: undefined, text: "" }).join()).toMatch(/answered 500/);
    expect(contractProblems(declared, { status: 409, json: { error: { code: "CONFLICT", message: "x" } }, text: "{}" }).join()).toMatch(/not declared/);
    expect(contractProblems(declared, { status: 404, json: { message: "gone" }, text: "" }).join()).toMatch(/Error shape/);
    expect(contractProblems(declared, { status: 404, json: { error: { code: "CONFLICT", message: "x" } }, text: "{}" }).join()).toMatch(/does not belong/);
  });

  it("checks a compatibility API's own error shape instead, when the operation names one", () => {
    const detail = op({ responses: { "200": {}, "404": {} }, "x-error-shape": "detail" });
    expect(contractProblems(detail, { status: 404, json: { detail: "Not found" }, text: "{}" })).toEqual([]);
    expect(contractProblems(detail, { status: 404, json: { error: { code: "NOT_FOUND", message: "x" } }, text: "{}" }).join()).toMatch(/not \{detail\}/);
    expect(contractProblems(op({ responses: { "404": {} }, "x-error-shape": "nope" }), { status: 404, json: {}, text: "{}" }).join()).toMatch(/unknown x-error-shape/);
  });
});

describe.each(operations)("$id", (op) => {
  const access = accessOf(op, doc);
  const request = (fixture: Fixture, headers: Record<string, string>, params?: Record<string, string>) =>
    validRequest(doc, op, fixture, sample, headers, params);
  const check = (res: ApiResponse, status: number, what: string) => {
    expect(contractProblems(op, res), what).toEqual([]);
    expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(status);
  };

  if (access.kind === "public") {
    it("is public: answers without credentials", async () => {
      const res = await send(op, request(fixtureA, {}));
      expect(contractProblems(op, res)).toEqual([]);
      expect(res.status).toBeLessThan(300);
    });
    return;
  }

  const refused: [string, () => Record<string, string>][] =
    access.kind === "operator"
      ? [...strangers, ["an organization's admin API key", () => bearer(a.adminKey)]]
      : [...strangers, ["a revoked admin key", () => bearer(a.revokedKey)], ["the operator's ADMIN_TOKEN", () => bearer(TEST_ADMIN_TOKEN)]];

  it.each(refused)("%s: 401 UNAUTHORIZED", async (label, credentials) => {
    const res = await send(op, request(fixtureA, credentials()));
    check(res, 401, label);
    expect(errorCodeOf(res.json)).toBe("UNAUTHORIZED");
  });

  if (access.kind === "operator") {
    if (pathParams(op).length > 0) {
      it("an unknown id: 404", async () => {
        const params = Object.fromEntries(pathParams(op).map((p) => [p.name, unknownLike(fixtureValues(fixtureA, resourceOf(op.path, p.name))[0] as string)]));
        check(await send(op, request(fixtureA, bearer(TEST_ADMIN_TOKEN), params)), 404, "unknown id");
      });
    }
    return;
  }

  const below = rolesBelow(access.minRole);
  if (below.length > 0) {
    it.each(below)(`a %s key (below ${access.minRole}): 403 FORBIDDEN`, async (role) => {
      const res = await send(op, request(fixtureA, bearer(a.keys[role])));
      check(res, 403, role);
      expect(errorCodeOf(res.json)).toBe("FORBIDDEN");
    });
  } else {
    it(`documents no 403: every key is at least ${access.minRole}`, () => {
      expect(op.raw.responses["403"]).toBeUndefined();
    });
  }

  for (const param of pathParams(op)) {
    const resource = resourceOf(op.path, param.name);
    it(`another organization's ${resource} answers exactly like an unknown one`, async () => {
      const foreignValues = fixtureValues(fixtureB, resource);
      const unknownStatus = unknownIdStatus(op);
      const caller = unknownStatus === undefined ? c : a;
      const cases = foreignValues.flatMap((foreign) => [
        () => send(op, request(fixtureA, bearer(caller.adminKey), { [param.name]: foreign })),
        () => send(op, request(fixtureA, bearer(caller.adminKey), { [param.name]: unknownLike(foreign) })),
      ]);
      const answers = await inBatches(cases, 4);
      const othersIds = [...fixtureB.values()].flat().filter((v) => !foreignValues.includes(v));
      for (let i = 0; i < answers.length; i += 2) {
        const [foreign, unknown] = [answers[i] as ApiResponse, answers[i + 1] as ApiResponse];
        expect(contractProblems(op, unknown), "unknown").toEqual([]);
        expect(contractProblems(op, foreign), "foreign").toEqual([]);
        if (unknownStatus !== undefined) {
          expect(unknown.status, `an unknown ${resource} must be ${unknownStatus} (is the sample request valid?): ${unknown.text}`).toBe(unknownStatus);
          expect(foreign.text, "another org's id must answer byte for byte like an unknown one").toBe(unknown.text);
        } else {
          // Only a PUT that creates at its path documents no 404: another org's key is just a new one here.
          expect(foreign.status, foreign.text).toBe(unknown.status);
          expect(foreign.status).toBeLessThan(300);
        }
        for (const id of othersIds) expect(foreign.text, "nothing of the other organization leaks").not.toContain(id);
      }
    });
  }
});
