import { beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN, type TestOrg, call, createKey, createOrg } from "../helpers/api";
import { type Role, auditEntries, expectError, newEntity } from "./support";

interface Prepared {
  path: string;
  body?: unknown;
}

interface RouteCase {
  method: string;
  route: string;
  minimum: Role;
  /** The status an allowed key gets. */
  ok: number;
  /** Makes whatever the request needs (run with the org's admin key) and returns the concrete request. */
  prepare: (adminKey: string) => Promise<Prepared>;
}

let externalIds = 0;
const freshExternalId = () => `ext-${++externalIds}`;
const entityId = async (adminKey: string) => (await newEntity(adminKey, { type: "person", externalId: freshExternalId(), attributes: { fullName: "Ada" } })).id;

const routes: RouteCase[] = [
  { method: "GET", route: "/v1/api-keys", minimum: "admin", ok: 200, prepare: async () => ({ path: "/v1/api-keys" }) },
  {
    method: "POST",
    route: "/v1/api-keys",
    minimum: "admin",
    ok: 201,
    prepare: async () => ({ path: "/v1/api-keys", body: { name: "made in the matrix", role: "viewer" } }),
  },
  {
    method: "DELETE",
    route: "/v1/api-keys/{id}",
    minimum: "admin",
    ok: 200,
    prepare: async (adminKey) => ({ path: `/v1/api-keys/${(await createKey(adminKey, "viewer")).id}` }),
  },
  { method: "GET", route: "/v1/entities", minimum: "viewer", ok: 200, prepare: async () => ({ path: "/v1/entities" }) },
  {
    method: "POST",
    route: "/v1/entities",
    minimum: "member",
    ok: 201,
    prepare: async () => ({ path: "/v1/entities", body: { type: "company", attributes: { name: "Acme" } } }),
  },
  {
    method: "GET",
    route: "/v1/entities/{id}",
    minimum: "viewer",
    ok: 200,
    prepare: async (adminKey) => ({ path: `/v1/entities/${await entityId(adminKey)}` }),
  },
  {
    method: "PATCH",
    route: "/v1/entities/{id}",
    minimum: "member",
    ok: 200,
    prepare: async (adminKey) => ({ path: `/v1/entities/${await entityId(adminKey)}`, body: { attributes: { title: "CTO" } } }),
  },
  {
    method: "DELETE",
    route: "/v1/entities/{id}",
    minimum: "member",
    ok: 204,
    prepare: async (adminKey) => ({ path: `/v1/entities/${await entityId(adminKey)}` }),
  },
  {
    method: "GET",
    route: "/v1/entities/by-external-id/{externalId}",
    minimum: "viewer",
    ok: 200,
    prepare: async (adminKey) => {
      const externalId = freshExternalId();
      await newEntity(adminKey, { type: "person", externalId, attributes: {} });
      return { path: `/v1/entities/by-external-id/${externalId}` };
    },
  },
  {
    method: "PUT",
    route: "/v1/entities/by-external-id/{externalId}",
    minimum: "member",
    ok: 201,
    prepare: async () => ({
      path: `/v1/entities/by-external-id/${freshExternalId()}`,
      body: { type: "person", attributes: { fullName: "Grace Hopper" } },
    }),
  },
  { method: "GET", route: "/v1/audit-log", minimum: "admin", ok: 200, prepare: async () => ({ path: "/v1/audit-log" }) },
];

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };
const roles: Role[] = ["viewer", "member", "admin"];

describe.each(routes)("$method $route (needs $minimum)", (route) => {
  let org: TestOrg;
  const keys = {} as Record<Role, { id: string; key: string }>;

  beforeAll(async () => {
    org = await createOrg();
    keys.admin = { id: org.adminKeyId, key: org.adminKey };
    keys.member = await createKey(org.adminKey, "member");
    keys.viewer = await createKey(org.adminKey, "viewer");
  });

  const send = async (headers: Record<string, string>) => {
    const { path, body } = await route.prepare(org.adminKey);
    return call(route.method, path, { headers, body });
  };

  const below = roles.filter((r) => rank[r] < rank[route.minimum]);
  const allowed = roles.filter((r) => rank[r] >= rank[route.minimum]);

  if (below.length > 0) {
    it.each(below)("a %s key gets 403 FORBIDDEN and nothing is written", async (role) => {
      const res = await send({ authorization: `Bearer ${keys[role].key}` });
      expectError(res, 403, "FORBIDDEN");
      // Preparing the request may write with the admin key; the forbidden key must not have written anything.
      const byForbiddenKey = (await auditEntries(org.adminKey)).filter((e) => e.actorKeyId === keys[role].id);
      expect(byForbiddenKey).toEqual([]);
    });
  }

  it.each(allowed)(`a %s key is let through with Authorization: Bearer (${route.ok})`, async (role) => {
    const res = await send({ authorization: `Bearer ${keys[role].key}` });
    expect(res.status, res.text).toBe(route.ok);
  });

  it.each(allowed)(`a %s key is let through with X-API-Key (${route.ok})`, async (role) => {
    const res = await send({ "x-api-key": keys[role].key });
    expect(res.status, res.text).toBe(route.ok);
  });

  it.each([
    ["no key at all", {}],
    ["an empty Bearer", { authorization: "Bearer " }],
    ["a non-Bearer scheme", { authorization: `Basic ${btoa("user:pass")}` }],
    ["a well-formed key that does not exist", { authorization: "Bearer dsr_live_0000000000000000000000000000000000000000" }],
    ["an unknown X-API-Key", { "x-api-key": "dsr_live_not-a-real-key" }],
    ["the ADMIN_TOKEN instead of an API key", { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }],
  ])("%s gets 401 UNAUTHORIZED", async (_label, headers) => {
    expectError(await send(headers as Record<string, string>), 401, "UNAUTHORIZED");
  });

  it("a revoked admin key gets 401 UNAUTHORIZED", async () => {
    const doomed = await createKey(org.adminKey, "admin");
    expect((await call("DELETE", `/v1/api-keys/${doomed.id}`, { key: org.adminKey })).status).toBe(200);
    expectError(await send({ authorization: `Bearer ${doomed.key}` }), 401, "UNAUTHORIZED");
    expectError(await send({ "x-api-key": doomed.key }), 401, "UNAUTHORIZED");
  });
});

describe("authentication details", () => {
  it("accepts the Bearer scheme in any case and ignores surrounding spaces", async () => {
    const org = await createOrg();
    expect((await call("GET", "/v1/entities", { headers: { authorization: `bearer   ${org.adminKey}  ` } })).status).toBe(200);
    expect((await call("GET", "/v1/entities", { headers: { "x-api-key": `  ${org.adminKey} ` } })).status).toBe(200);
  });

  it("checks the key before validating the request, so strangers learn nothing about the body", async () => {
    const res = await call("POST", "/v1/entities", { rawBody: "{not json", headers: { "content-type": "application/json" } });
    expectError(res, 401, "UNAUTHORIZED");
    const viewer = await createKey((await createOrg()).adminKey, "viewer");
    const forbidden = await call("POST", "/v1/entities", { key: viewer.key, body: { type: "robot" } });
    expectError(forbidden, 403, "FORBIDDEN");
  });

  it("a key that differs from a real one by its last character is rejected", async () => {
    const org = await createOrg();
    const last = org.adminKey.at(-1) === "a" ? "b" : "a";
    const near = `${org.adminKey.slice(0, -1)}${last}`;
    expectError(await call("GET", "/v1/entities", { key: near }), 401, "UNAUTHORIZED");
    expectError(await call("GET", "/v1/entities", { key: `${org.adminKey}x` }), 401, "UNAUTHORIZED");
  });
});
