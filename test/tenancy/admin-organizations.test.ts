import { describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN, call, createOrg } from "../helpers/api";
import { API_KEY, ISO_TIME, UUID, detailPaths, expectError, operatorHeaders, walkPages } from "./support";

const createBody = (name: string, extra: Record<string, unknown> = {}) => ({ name, billingMode: "prepaid", initialCredits: 1000, ...extra });

describe("operator: organizations, happy paths", () => {
  it("creates a prepaid organization with credits and returns its first admin key once", async () => {
    const res = await call("POST", "/v1/admin/organizations", { headers: operatorHeaders, body: createBody("Acme Research") });
    expect(res.status).toBe(201);
    expect(Object.keys(res.json).sort()).toEqual(["apiKey", "organization"]);
    expect(res.json.organization).toEqual({
      id: expect.stringMatching(UUID),
      name: "Acme Research",
      billingMode: "prepaid",
      creditBalance: 1000,
      createdAt: expect.stringMatching(ISO_TIME),
    });
    expect(res.json.apiKey).toMatchObject({ id: expect.stringMatching(UUID), role: "admin", key: expect.stringMatching(API_KEY) });
    expect(res.json.apiKey.key.startsWith(res.json.apiKey.prefix)).toBe(true);

    const keys = await call("GET", "/v1/api-keys", { key: res.json.apiKey.key });
    expect(keys.status).toBe(200);
    expect(keys.json.data.map((k: { id: string }) => k.id)).toEqual([res.json.apiKey.id]);
    expect(keys.text).not.toContain(res.json.apiKey.key);
  });

  it("creates a postpaid organization with no opening credits", async () => {
    const res = await call("POST", "/v1/admin/organizations", {
      headers: operatorHeaders,
      body: { name: "  Trimmed Name  ", billingMode: "postpaid" },
    });
    expect(res.status).toBe(201);
    expect(res.json.organization).toMatchObject({ name: "Trimmed Name", billingMode: "postpaid", creditBalance: 0 });
  });

  it("lists organizations across pages without duplicates or gaps", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createOrg({ name: `Listed ${i}` })).orgId);
    const pages = await walkPages(undefined, "/v1/admin/organizations?limit=2", operatorHeaders);
    const ids = pages.flat();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of made) expect(ids).toContain(id);
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    const one = await call("GET", "/v1/admin/organizations?limit=1", { headers: operatorHeaders });
    expect(Object.keys(one.json.data[0]).sort()).toEqual(["billingMode", "createdAt", "creditBalance", "id", "name"]);
  });
});

describe("operator: organizations, errors", () => {
  it.each([
    [{ billingMode: "prepaid" }, "name"],
    [{ name: "", billingMode: "prepaid" }, "name"],
    [{ name: "x".repeat(201), billingMode: "prepaid" }, "name"],
    [{ name: "X", billingMode: "free" }, "billingMode"],
    [{ name: "X" }, "billingMode"],
    [{ name: "X", billingMode: "prepaid", initialCredits: -1 }, "initialCredits"],
    [{ name: "X", billingMode: "prepaid", initialCredits: 2.5 }, "initialCredits"],
    [{ name: "X", billingMode: "prepaid", initialCredits: "100" }, "initialCredits"],
    [{ name: "X", billingMode: "prepaid", creditBalance: 5 }, "creditBalance"],
  ])("rejects %j naming %s", async (body, path) => {
    const res = await call("POST", "/v1/admin/organizations", { headers: operatorHeaders, body });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res)).toContain(path);
  });

  it("rejects malformed JSON and a wrong content type", async () => {
    const malformed = await call("POST", "/v1/admin/organizations", { headers: { ...operatorHeaders, "content-type": "application/json" }, rawBody: "{" });
    expectError(malformed, 400, "VALIDATION_ERROR");
    const wrongType = await call("POST", "/v1/admin/organizations", { headers: { ...operatorHeaders, "content-type": "text/plain" }, rawBody: "{}" });
    expectError(wrongType, 415, "UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("operator: organizations, security", () => {
  const wrongCredentials: [string, Record<string, string>][] = [
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer wrong-token-wrong-token-wrong" }],
    ["the token with a character missing", { authorization: `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}` }],
    ["the token with a character added", { authorization: `Bearer ${TEST_ADMIN_TOKEN}0` }],
    ["the token without the Bearer scheme", { authorization: TEST_ADMIN_TOKEN }],
    ["the token as X-API-Key", { "x-api-key": TEST_ADMIN_TOKEN }],
  ];

  it.each(wrongCredentials)("%s is 401 on create and list, and nothing is created", async (_label, headers) => {
    const name = `Should not exist ${crypto.randomUUID()}`;
    expectError(await call("POST", "/v1/admin/organizations", { headers, body: createBody(name) }), 401, "UNAUTHORIZED");
    expectError(await call("GET", "/v1/admin/organizations", { headers }), 401, "UNAUTHORIZED");
    const listed = await call("GET", "/v1/admin/organizations?limit=200", { headers: operatorHeaders });
    expect(listed.json.nextCursor).toBeNull();
    expect(listed.text).not.toContain(name);
  });

  it("an organization's admin API key is not an operator credential", async () => {
    const org = await createOrg();
    expectError(await call("GET", "/v1/admin/organizations", { key: org.adminKey }), 401, "UNAUTHORIZED");
    expectError(await call("POST", "/v1/admin/organizations", { key: org.adminKey, body: createBody("Sneaky") }), 401, "UNAUTHORIZED");
  });

  it("the operator token is not an API key", async () => {
    expectError(await call("GET", "/v1/entities", { headers: operatorHeaders }), 401, "UNAUTHORIZED");
    expectError(await call("GET", "/v1/audit-log", { headers: operatorHeaders }), 401, "UNAUTHORIZED");
  });
});
