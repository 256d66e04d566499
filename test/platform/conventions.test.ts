import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { ISO_TIME, UUID, detailPaths, expectError, newEntity, operatorHeaders, walkPages } from "../tenancy/support";

const ONE_MIB = 1024 * 1024;

/** Bodies that reach each JSON endpoint; `{id}` is replaced with a real entity id. */
const jsonEndpoints = [
  ["POST", "/v1/entities"],
  ["PATCH", "/v1/entities/{id}"],
  ["PUT", "/v1/entities/by-external-id/ext-1"],
  ["POST", "/v1/api-keys"],
  ["POST", "/v1/admin/organizations"],
] as const;

async function sendRaw(method: string, path: string, adminKey: string, entityId: string, init: { body?: BodyInit; headers?: Record<string, string> }) {
  const auth = path.startsWith("/v1/admin/") ? operatorHeaders : { authorization: `Bearer ${adminKey}` };
  const request = new Request(`http://dossier.test${path.replace("{id}", entityId)}`, {
    method,
    headers: { ...auth, ...init.headers },
    body: init.body,
    // Needed for a ReadableStream body.
    duplex: "half",
  } as RequestInit);
  const res = await exports.default.fetch(request);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

describe("request bodies", () => {
  it.each(jsonEndpoints)("%s %s: malformed JSON is 400 VALIDATION_ERROR", async (method, path) => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: {} });
    for (const body of ["{", '{"type": "person",}', "nul", "\u0000"]) {
      const res = await sendRaw(method, path, org.adminKey, entity.id, { body, headers: { "content-type": "application/json" } });
      expectError(res, 400, "VALIDATION_ERROR");
    }
  });

  it.each(jsonEndpoints)("%s %s: a wrong or missing content type is 415", async (method, path) => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: {} });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]) {
      const res = await sendRaw(method, path, org.adminKey, entity.id, { body: '{"type":"person"}', headers: { "content-type": contentType } });
      expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    }
    const bare = await sendRaw(method, path, org.adminKey, entity.id, { body: '{"type":"person"}' });
    expect([400, 415]).toContain(bare.status);
    expect(bare.json.error.code).toMatch(/^(VALIDATION_ERROR|UNSUPPORTED_MEDIA_TYPE)$/);
  });

  it.each(jsonEndpoints)("%s %s: a body over 1 MiB is 413 PAYLOAD_TOO_LARGE", async (method, path) => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: {} });
    const big = JSON.stringify({ name: "x".repeat(ONE_MIB) });
    const res = await sendRaw(method, path, org.adminKey, entity.id, { body: big, headers: { "content-type": "application/json" } });
    expectError(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("a body over 1 MiB sent without Content-Length (streamed) is 413 too", async () => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: {} });
    for (const [method, path] of [["POST", "/v1/entities"], ["PATCH", "/v1/entities/{id}"]] as const) {
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"attributes":{"fullName":"'));
          if (sent > ONE_MIB + 2 * chunk.length) return controller.close();
          controller.enqueue(chunk);
          sent += chunk.length;
        },
      });
      const res = await sendRaw(method, path, org.adminKey, entity.id, { body: stream, headers: { "content-type": "application/json" } });
      expectError(res, 413, "PAYLOAD_TOO_LARGE");
    }
    expect((await call("GET", `/v1/entities/${entity.id}`, { key: org.adminKey })).json).toEqual(entity);
  });

  it("a body just under the limit is read and validated normally", async () => {
    const org = await createOrg();
    const body = JSON.stringify({ type: "person", attributes: { custom: { note: "x".repeat(2000) } }, pad: "y".repeat(ONE_MIB - 3000) });
    expect(body.length).toBeLessThan(ONE_MIB);
    const res = await sendRaw("POST", "/v1/entities", org.adminKey, "", { body, headers: { "content-type": "application/json" } });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res)).toEqual(["pad"]);
  });

  it("an empty JSON body is a validation error naming the missing fields", async () => {
    const org = await createOrg();
    const res = await sendRaw("POST", "/v1/entities", org.adminKey, "", { body: "{}", headers: { "content-type": "application/json" } });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res).sort()).toEqual(["attributes", "type"]);
    const nothing = await sendRaw("POST", "/v1/entities", org.adminKey, "", { headers: { "content-type": "application/json" } });
    expectError(nothing, 400, "VALIDATION_ERROR");
  });
});

describe("errors and routing", () => {
  it("an unknown route or method is a JSON 404", async () => {
    const org = await createOrg();
    for (const [method, path] of [
      ["GET", "/v1/nothing-here"],
      ["GET", "/"],
      ["PUT", "/v1/api-keys"],
      ["POST", "/v1/entities/some-id"],
      ["GET", "/v2/entities"],
    ]) {
      const res = await call(method as string, path as string, { key: org.adminKey });
      expectError(res, 404, "NOT_FOUND");
      expect(res.headers.get("content-type")).toContain("application/json");
    }
  });

  it("ids are UUIDs and timestamps ISO 8601 in UTC", async () => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "company", attributes: { name: "Acme" } });
    expect(entity.id).toMatch(UUID);
    expect(entity.createdAt).toMatch(ISO_TIME);
    const keys = await call("GET", "/v1/api-keys", { key: org.adminKey });
    expect(keys.json.data[0].id).toMatch(UUID);
    expect(keys.json.data[0].createdAt).toMatch(ISO_TIME);
  });

  /** Each line is a request a careless or hostile client might send; none may be answered 500. */
  const strangeRequests: [string, string, Record<string, unknown>][] = [
    ["GET", "/v1/entities?limit=-1", {}],
    ["GET", "/v1/entities?limit=1e3", {}],
    ["GET", "/v1/entities?limit=99999999999999999999", {}],
    ["GET", "/v1/entities?limit=1&limit=2", {}],
    ["GET", "/v1/entities?cursor=", {}],
    ["GET", `/v1/entities?cursor=${btoa("not json")}`, {}],
    ["GET", `/v1/entities?cursor=${btoa(JSON.stringify({ k: 1, id: [] }))}`, {}],
    ["GET", `/v1/entities?cursor=${btoa(JSON.stringify(null))}`, {}],
    ["GET", "/v1/entities?q=%27%3B%20DROP%20TABLE%20entities%3B--", {}],
    ["GET", "/v1/entities?q=%00", {}],
    ["GET", "/v1/entities?type[]=person", {}],
    ["GET", "/v1/entities/%E0%A4%A", {}],
    ["GET", "/v1/entities/..%2F..%2Fapi-keys", {}],
    ["GET", `/v1/entities/${"a".repeat(5000)}`, {}],
    ["GET", "/v1/entities/by-external-id/%ZZ", {}],
    ["GET", "/v1/audit-log?targetId=%27%20OR%201%3D1", {}],
    ["DELETE", "/v1/api-keys/%00", {}],
    ["POST", "/v1/entities", { body: { type: "person", attributes: { fullName: "x".repeat(100_000) } } }],
    ["POST", "/v1/entities", { body: { type: "person", attributes: { email: 12 } } }],
    ["POST", "/v1/entities", { body: { type: "person", attributes: { custom: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])) } } }],
    ["POST", "/v1/entities", { body: { type: "person", attributes: { __proto__: { admin: true } } } }],
    ["POST", "/v1/entities", { rawBody: '{"type":"person","attributes":{"__proto__":{"x":1}}}', headers: { "content-type": "application/json" } }],
    ["POST", "/v1/entities", { rawBody: '{"type":"person","attributes":{"constructor":{"prototype":{"x":1}}}}', headers: { "content-type": "application/json" } }],
    ["POST", "/v1/entities", { body: { type: "person", attributes: { companyDomain: "http://[::1]/" } } }],
    ["POST", "/v1/entities", { body: { type: "person", attributes: { linkedinUrl: "javascript:alert(1)" } } }],
    ["POST", "/v1/entities", { body: { type: "company", attributes: { website: "http://" } } }],
    ["POST", "/v1/entities", { body: { type: "person", externalId: 7, attributes: {} } }],
    ["POST", "/v1/entities", { rawBody: "[".repeat(10_000), headers: { "content-type": "application/json" } }],
    ["POST", "/v1/entities", { rawBody: '"just a string"', headers: { "content-type": "application/json" } }],
    ["POST", "/v1/entities", { rawBody: "12", headers: { "content-type": "application/json" } }],
    ["POST", "/v1/entities", { rawBody: '{"type":"person"}', headers: { "content-type": "application/json; charset=latin1" } }],
    ["POST", "/v1/entities", { body: { type: "person", attributes: {} }, headers: { "idempotency-key": "../../etc/passwd%00" } }],
    ["PATCH", "/v1/entities/{id}", { body: { attributes: null } }],
    ["PATCH", "/v1/entities/{id}", { body: { externalId: "" } }],
    ["PUT", "/v1/entities/by-external-id/%20", { body: { type: "person", attributes: {} } }],
    ["POST", "/v1/api-keys", { body: { name: "x", role: "admin", rateLimitPerMinute: 1e308 } }],
    ["POST", "/v1/api-keys", { body: { name: "\u0000", role: "viewer" } }],
  ];

  it.each(strangeRequests)("%s %s is answered 4xx or 2xx, never 500", async (method, path, options) => {
    const org = await createOrg();
    const entity = await newEntity(org.adminKey, { type: "person", attributes: {} });
    const res = await call(method, path.replace("{id}", entity.id), { key: org.adminKey, ...(options as object) });
    expect(res.status, res.text).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.json?.error?.code, res.text).toMatch(/^[A-Z_]+$/);
      expect(res.headers.get("content-type")).toContain("application/json");
    }
  });

  it("an object key named __proto__ neither pollutes nor sneaks in an attribute", async () => {
    const org = await createOrg();
    const res = await call("POST", "/v1/entities", {
      key: org.adminKey,
      rawBody: '{"type":"person","attributes":{"fullName":"P","__proto__":{"email":"x@evil.example"}}}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBeLessThan(500);
    if (res.status === 201) expect(res.json.attributes).toEqual({ fullName: "P" });
    expect(({} as Record<string, unknown>).email).toBeUndefined();
  });
});

describe("pagination", () => {
  it("defaults to 50 a page and ends with nextCursor null", async () => {
    const org = await createOrg();
    const ids = new Set<string>();
    for (let i = 0; i < 51; i++) ids.add((await newEntity(org.adminKey, { type: "company", attributes: { name: `C${i}` } })).id);
    const first = await call("GET", "/v1/entities", { key: org.adminKey });
    expect(first.json.data).toHaveLength(50);
    expect(typeof first.json.nextCursor).toBe("string");
    const second = await call("GET", `/v1/entities?cursor=${first.json.nextCursor}`, { key: org.adminKey });
    expect(second.json.data).toHaveLength(1);
    expect(second.json.nextCursor).toBeNull();
    const seen = [...first.json.data, ...second.json.data].map((e: { id: string }) => e.id);
    expect(new Set(seen)).toEqual(ids);
  });

  it("a page exactly filling the limit has nextCursor null when nothing follows", async () => {
    const org = await createOrg();
    for (let i = 0; i < 4; i++) await newEntity(org.adminKey, { type: "person", attributes: {} });
    expect(await walkPages(org.adminKey, "/v1/entities?limit=2")).toHaveLength(2);
    expect(await walkPages(org.adminKey, "/v1/entities?limit=4")).toHaveLength(1);
    expect(await walkPages(org.adminKey, "/v1/entities?limit=200")).toHaveLength(1);
  });

  it("rows added while paging do not cause duplicates or gaps among the rows that existed", async () => {
    const org = await createOrg();
    const original: string[] = [];
    for (let i = 0; i < 6; i++) original.push((await newEntity(org.adminKey, { type: "person", attributes: {} })).id);
    const first = await call("GET", "/v1/entities?limit=3", { key: org.adminKey });
    await newEntity(org.adminKey, { type: "person", attributes: {} });
    const second = await call("GET", `/v1/entities?limit=3&cursor=${first.json.nextCursor}`, { key: org.adminKey });
    const seen = [...first.json.data, ...second.json.data].map((e: { id: string }) => e.id);
    expect(new Set(seen).size).toBe(6);
    expect([...seen].sort()).toEqual([...original].sort());
  });

  it.each(["/v1/entities", "/v1/api-keys", "/v1/audit-log", "/v1/admin/organizations"])("%s rejects limit=201 and a bad cursor", async (path) => {
    const org = await createOrg();
    const auth = path.startsWith("/v1/admin/") ? { headers: operatorHeaders } : { key: org.adminKey };
    const tooMany = await call("GET", `${path}?limit=201`, auth);
    expectError(tooMany, 400, "VALIDATION_ERROR");
    expect(detailPaths(tooMany)).toEqual(["limit"]);
    const bad = await call("GET", `${path}?cursor=bm90LWEtY3Vyc29y`, auth);
    expectError(bad, 400, "VALIDATION_ERROR");
    expect(detailPaths(bad)).toEqual(["cursor"]);
    const max = await call("GET", `${path}?limit=200`, auth);
    expect(max.status).toBe(200);
  });
});
