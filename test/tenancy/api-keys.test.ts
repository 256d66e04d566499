import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { API_KEY, ISO_TIME, UUID, auditEntries, detailPaths, expectError, walkPages } from "./support";

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("API keys: happy paths", () => {
  it("creates a key that is shown once and works at once", async () => {
    const org = await createOrg();
    const res = await call("POST", "/v1/api-keys", { key: org.adminKey, body: { name: "CRM sync", role: "member", rateLimitPerMinute: 120 } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: "CRM sync", role: "member", rateLimitPerMinute: 120, lastUsedAt: null, revokedAt: null });
    expect(res.json.id).toMatch(UUID);
    expect(res.json.key).toMatch(API_KEY);
    expect(res.json.key.startsWith(res.json.prefix)).toBe(true);
    expect(res.json.prefix.length).toBeLessThan(res.json.key.length - 20);
    expect(res.json.createdAt).toMatch(ISO_TIME);
    expect(res.json).not.toHaveProperty("keyHash");

    const use = await call("POST", "/v1/entities", { key: res.json.key, body: { type: "person", attributes: {} } });
    expect(use.status).toBe(201);
  });

  it("lists keys without their secrets, with prefix, role, createdAt and lastUsedAt", async () => {
    const org = await createOrg();
    const viewer = await createKey(org.adminKey, "viewer");
    const before = await call("GET", "/v1/api-keys", { key: org.adminKey });
    expect(before.status).toBe(200);
    expect(before.text).not.toContain(viewer.key);
    expect(before.text).not.toContain(org.adminKey);
    const listedViewer = before.json.data.find((k: { id: string }) => k.id === viewer.id);
    expect(listedViewer).toMatchObject({ role: "viewer", lastUsedAt: null, revokedAt: null });
    expect(Object.keys(listedViewer).sort()).toEqual(
      ["createdAt", "id", "lastUsedAt", "name", "prefix", "rateLimitPerMinute", "revokedAt", "role"].sort(),
    );

    await call("GET", "/v1/entities", { key: viewer.key });
    const after = await call("GET", "/v1/api-keys", { key: org.adminKey });
    const used = after.json.data.find((k: { id: string }) => k.id === viewer.id);
    expect(used.lastUsedAt).toMatch(ISO_TIME);
  });

  it("revokes a key at once; revoking again answers the same revocation", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    expect((await call("GET", "/v1/entities", { key: member.key })).status).toBe(200);

    const revoked = await call("DELETE", `/v1/api-keys/${member.id}`, { key: org.adminKey });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).toMatch(ISO_TIME);
    expect(revoked.json).not.toHaveProperty("key");

    expectError(await call("GET", "/v1/entities", { key: member.key }), 401, "UNAUTHORIZED");
    expectError(await call("POST", "/v1/entities", { key: member.key, body: { type: "person", attributes: {} } }), 401, "UNAUTHORIZED");

    const again = await call("DELETE", `/v1/api-keys/${member.id}`, { key: org.adminKey });
    expect(again.status).toBe(200);
    expect(again.json.revokedAt).toBe(revoked.json.revokedAt);
    const listed = await call("GET", "/v1/api-keys", { key: org.adminKey });
    expect(listed.json.data.find((k: { id: string }) => k.id === member.id).revokedAt).toBe(revoked.json.revokedAt);
    const revocations = await auditEntries(org.adminKey, `action=api_key.revoked&targetId=${member.id}`);
    expect(revocations).toHaveLength(1);
  });

  it("an admin may revoke its own key, which then stops working", async () => {
    const org = await createOrg();
    expect((await call("DELETE", `/v1/api-keys/${org.adminKeyId}`, { key: org.adminKey })).status).toBe(200);
    expectError(await call("GET", "/v1/api-keys", { key: org.adminKey }), 401, "UNAUTHORIZED");
  });

  it("pages through keys newest first without duplicates or gaps", async () => {
    const org = await createOrg();
    const created = [org.adminKeyId];
    for (let i = 0; i < 5; i++) created.push((await createKey(org.adminKey, "viewer")).id);
    const pages = await walkPages(org.adminKey, "/v1/api-keys?limit=2");
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    const ids = pages.flat();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...created].sort());
  });
});

describe("API keys: errors", () => {
  it.each([
    [{ name: "x", role: "owner" }, "role"],
    [{ name: "", role: "viewer" }, "name"],
    [{ role: "viewer" }, "name"],
    [{ name: "x", role: "viewer", rateLimitPerMinute: 0 }, "rateLimitPerMinute"],
    [{ name: "x", role: "viewer", rateLimitPerMinute: 1.5 }, "rateLimitPerMinute"],
    [{ name: "x", role: "viewer", scopes: ["all"] }, "scopes"],
  ])("rejects %j with a VALIDATION_ERROR at %s", async (body, path) => {
    const org = await createOrg();
    const res = await call("POST", "/v1/api-keys", { key: org.adminKey, body });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res)).toContain(path);
  });

  it("revoking a key that does not exist is 404", async () => {
    const org = await createOrg();
    expectError(await call("DELETE", `/v1/api-keys/${crypto.randomUUID()}`, { key: org.adminKey }), 404, "NOT_FOUND");
    expectError(await call("DELETE", "/v1/api-keys/not-a-uuid", { key: org.adminKey }), 404, "NOT_FOUND");
  });
});

describe("API keys: security", () => {
  it("stores only the SHA-256 of a key, never the key itself", async () => {
    const org = await createOrg();
    const res = await call("POST", "/v1/api-keys", { key: org.adminKey, body: { name: "stored", role: "member" }, headers: { "idempotency-key": "store-1" } });
    expect(res.status).toBe(201);
    const secret: string = res.json.key;
    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(res.json.id).first<Record<string, unknown>>();
    expect(row?.key_hash).toBe(await sha256Hex(secret));
    // No table anywhere (audit log, idempotency replays, ...) holds the secret in plain text.
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'").all<{ name: string }>();
    for (const { name } of tables.results) {
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      expect(JSON.stringify(rows.results), `table ${name}`).not.toContain(secret);
      expect(JSON.stringify(rows.results), `table ${name}`).not.toContain(secret.slice(-20));
    }
  });

  it("org B cannot revoke or see org A's keys, and A's key keeps working", async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    const keyA = await createKey(orgA.adminKey, "member");
    expectError(await call("DELETE", `/v1/api-keys/${keyA.id}`, { key: orgB.adminKey }), 404, "NOT_FOUND");
    expectError(await call("DELETE", `/v1/api-keys/${orgA.adminKeyId}`, { key: orgB.adminKey }), 404, "NOT_FOUND");
    const listB = await call("GET", "/v1/api-keys", { key: orgB.adminKey });
    expect(listB.json.data.map((k: { id: string }) => k.id)).toEqual([orgB.adminKeyId]);
    expect((await call("GET", "/v1/entities", { key: keyA.key })).status).toBe(200);
  });

  it("a key's role cannot be raised by creating a stronger key: only admins create keys", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    expectError(await call("POST", "/v1/api-keys", { key: member.key, body: { name: "escalate", role: "admin" } }), 403, "FORBIDDEN");
  });

  it("two keys never collide and carry at least 32 random characters", async () => {
    const org = await createOrg();
    const a = await createKey(org.adminKey, "viewer");
    const b = await createKey(org.adminKey, "viewer");
    expect(a.key).not.toBe(b.key);
    expect(a.key.length - "dsr_live_".length).toBeGreaterThanOrEqual(32);
  });
});
