import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { auditEntries, expectError, operatorHeaders } from "../tenancy/support";

const person = (fullName: string) => ({ type: "person", attributes: { fullName } });

async function entityCount(key: string) {
  return (await call("GET", "/v1/entities?limit=200", { key })).json.data.length as number;
}

describe("Idempotency-Key: happy paths", () => {
  it("replays the first response (same status and body) without doing the work again", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "create-ada" };
    const first = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Ada") });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Ada") });
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("content-type")).toContain("application/json");
    expect(second.headers.get("idempotent-replayed")).toBe("true");

    expect(await entityCount(org.adminKey)).toBe(1);
    expect(await auditEntries(org.adminKey, "action=entity.created")).toHaveLength(1);
  });

  it("without the header, the same request is done twice", async () => {
    const org = await createOrg();
    await call("POST", "/v1/entities", { key: org.adminKey, body: person("Twice") });
    await call("POST", "/v1/entities", { key: org.adminKey, body: person("Twice") });
    expect(await entityCount(org.adminKey)).toBe(2);
  });

  it("replays a request that failed for good (409) rather than trying again", async () => {
    const org = await createOrg();
    await call("POST", "/v1/entities", { key: org.adminKey, body: { ...person("Taken"), externalId: "taken" } });
    const headers = { "idempotency-key": "dup-try" };
    const body = { ...person("Second"), externalId: "taken" };
    const first = await call("POST", "/v1/entities", { key: org.adminKey, headers, body });
    expectError(first, 409, "CONFLICT");
    // Free the externalId: a re-run would now succeed, a replay still answers the first 409.
    const taken = await call("GET", "/v1/entities/by-external-id/taken", { key: org.adminKey });
    await call("DELETE", `/v1/entities/${taken.json.id}`, { key: org.adminKey });
    const again = await call("POST", "/v1/entities", { key: org.adminKey, headers, body });
    expect(again.status).toBe(409);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays a created API key with its secret, which is never stored in plain text", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "key-once" };
    const body = { name: "sync", role: "member" };
    const first = await call("POST", "/v1/api-keys", { key: org.adminKey, headers, body });
    const second = await call("POST", "/v1/api-keys", { key: org.adminKey, headers, body });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    const keys = await call("GET", "/v1/api-keys", { key: org.adminKey });
    expect(keys.json.data).toHaveLength(2);
    const stored = await env.DB.prepare("SELECT response_body FROM idempotency_keys WHERE org_id = ? AND key = ?")
      .bind(org.orgId, "key-once")
      .first<{ response_body: string }>();
    expect(stored?.response_body).toBeTruthy();
    expect(stored?.response_body).not.toContain(first.json.key);
    expect(stored?.response_body).not.toContain(first.json.id);
  });

  it("the operator's organization creation is idempotent too", async () => {
    const name = `Idempotent Org ${crypto.randomUUID()}`;
    const request = { headers: { ...operatorHeaders, "idempotency-key": `org-${name}` }, body: { name, billingMode: "prepaid", initialCredits: 10 } };
    const first = await call("POST", "/v1/admin/organizations", request);
    const second = await call("POST", "/v1/admin/organizations", request);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    const orgs = await call("GET", "/v1/admin/organizations?limit=200", { headers: operatorHeaders });
    expect(orgs.json.data.filter((o: { name: string }) => o.name === name)).toHaveLength(1);
  });

  it("a key older than 24 hours no longer replays", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "yesterday" };
    const first = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Old") });
    const dayAndAnHourAgo = new Date(Date.now() - 25 * 60 * 60 * 1000).toISOString();
    await env.DB.prepare("UPDATE idempotency_keys SET created_at = ? WHERE org_id = ? AND key = ?").bind(dayAndAnHourAgo, org.orgId, "yesterday").run();
    const reused = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("New") });
    expect(reused.status).toBe(201);
    expect(reused.json.id).not.toBe(first.json.id);
    const replay = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("New") });
    expect(replay.json.id).toBe(reused.json.id);
  });
});

describe("Idempotency-Key: errors", () => {
  it("the same key with a different body is 422 and does nothing", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "k-1" };
    expect((await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Ada") })).status).toBe(201);
    const other = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Grace") });
    expectError(other, 422, "UNPROCESSABLE");
    expect(await entityCount(org.adminKey)).toBe(1);
  });

  it("the same key on another endpoint is 422", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "k-2" };
    expect((await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Ada") })).status).toBe(201);
    const res = await call("POST", "/v1/api-keys", { key: org.adminKey, headers, body: { name: "x", role: "viewer" } });
    expectError(res, 422, "UNPROCESSABLE");
  });

  it("does not remember a request refused before it ran, so a corrected retry with the same key runs", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "fix-and-retry" };
    const bad = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: { type: "person", attributes: { email: "not-an-email" } } });
    expectError(bad, 400, "VALIDATION_ERROR");
    const fixed = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Ada") });
    expect(fixed.status).toBe(201);
    const replay = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Ada") });
    expect(replay.json.id).toBe(fixed.json.id);
    expect(await entityCount(org.adminKey)).toBe(1);
  });

  it("rejects an empty or over-long key", async () => {
    const org = await createOrg();
    expectError(await call("POST", "/v1/entities", { key: org.adminKey, headers: { "idempotency-key": "x".repeat(256) }, body: person("A") }), 400, "VALIDATION_ERROR");
    expectError(await call("POST", "/v1/entities", { key: org.adminKey, headers: { "idempotency-key": "" }, body: person("A") }), 400, "VALIDATION_ERROR");
    expect(await entityCount(org.adminKey)).toBe(0);
  });

  it("concurrent requests with one key do the work once", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "race" };
    const results = await Promise.all([1, 2, 3, 4].map(() => call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("Racer") })));
    for (const r of results) expect([201, 409]).toContain(r.status);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
    for (const r of results.filter((r) => r.status === 409)) expect(r.json.error.code).toBe("CONFLICT");
    expect(await entityCount(org.adminKey)).toBe(1);
  });
});

describe("Idempotency-Key: security", () => {
  it("keys are scoped per organization: the same key in two orgs works independently", async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    const headers = { "idempotency-key": "shared-key" };
    const a = await call("POST", "/v1/entities", { key: orgA.adminKey, headers, body: person("Same") });
    const b = await call("POST", "/v1/entities", { key: orgB.adminKey, headers, body: person("Same") });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json.id).not.toBe(a.json.id);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    // B's different body under the same key is B's own business, not a clash with A.
    const bOther = await call("POST", "/v1/entities", { key: orgB.adminKey, headers: { "idempotency-key": "only-in-a" }, body: person("B") });
    expect(bOther.status).toBe(201);
    await call("POST", "/v1/entities", { key: orgA.adminKey, headers: { "idempotency-key": "only-in-a" }, body: person("A") });
    expect(await entityCount(orgA.adminKey)).toBe(2);
    expect(await entityCount(orgB.adminKey)).toBe(2);
  });

  it("a request refused for its key or role is never stored for replay", async () => {
    const org = await createOrg();
    const headers = { "idempotency-key": "after-auth" };
    expectError(await call("POST", "/v1/entities", { headers, body: person("A") }), 401, "UNAUTHORIZED");
    const ok = await call("POST", "/v1/entities", { key: org.adminKey, headers, body: person("A") });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("idempotent-replayed")).toBeNull();
  });
});
