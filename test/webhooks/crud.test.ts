import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { receiverUrl } from "../helpers/webhook-receiver";

const events = ["enrichment.completed", "job.failed"];

async function createHook(key: string, body: Record<string, unknown> = {}) {
  return call("POST", "/v1/webhooks", { key, body: { url: receiverUrl().url, events, ...body } });
}

describe("webhooks CRUD", () => {
  it("creates a webhook and shows its Standard Webhooks secret once", async () => {
    const org = await createOrg();
    const res = await createHook(org.adminKey, { description: "CRM sync" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ events, enabled: true, description: "CRM sync", disabledReason: null, failingSince: null });
    expect(res.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const got = await call("GET", `/v1/webhooks/${res.json.id}`, { key: org.adminKey });
    expect(got.status).toBe(200);
    expect(got.json).not.toHaveProperty("secret");
    expect(got.text).not.toContain(res.json.secret.slice(6));
    const listed = await call("GET", "/v1/webhooks", { key: org.adminKey });
    expect(listed.json.data.map((w: { id: string }) => w.id)).toEqual([res.json.id]);
    expect(listed.text).not.toContain(res.json.secret.slice(6));
  });

  it("stores the secret encrypted, never as plaintext", async () => {
    const org = await createOrg();
    const res = await createHook(org.adminKey);
    const row = await env.DB.prepare("SELECT * FROM webhooks WHERE id = ?").bind(res.json.id).first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(res.json.secret);
    expect(stored).not.toContain(res.json.secret.slice(6));
    expect(String(row?.secret_encrypted)).toMatch(/^v1\./);
    const audit = await env.DB.prepare("SELECT data FROM audit_log WHERE target_id = ?").bind(res.json.id).all();
    expect(JSON.stringify(audit.results)).not.toContain(res.json.secret.slice(6));
  });

  it("updates fields, deletes, and audits each write", async () => {
    const org = await createOrg();
    const { json: hook } = await createHook(org.adminKey);
    const newUrl = receiverUrl().url;
    const patched = await call("PATCH", `/v1/webhooks/${hook.id}`, {
      key: org.adminKey,
      body: { url: newUrl, events: ["job.completed", "job.completed"], enabled: false, description: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ url: newUrl, events: ["job.completed"], enabled: false, description: null });
    const empty = await call("PATCH", `/v1/webhooks/${hook.id}`, { key: org.adminKey, body: {} });
    expect(empty.status).toBe(400);

    const removed = await call("DELETE", `/v1/webhooks/${hook.id}`, { key: org.adminKey });
    expect(removed.status).toBe(204);
    expect((await call("GET", `/v1/webhooks/${hook.id}`, { key: org.adminKey })).status).toBe(404);
    const audit = await call("GET", `/v1/audit-log?targetId=${hook.id}`, { key: org.adminKey });
    expect(audit.json.data.map((e: { action: string }) => e.action).sort()).toEqual(["webhook.created", "webhook.deleted", "webhook.updated"]);
  });

  it("pages the list", async () => {
    const org = await createOrg();
    for (let i = 0; i < 3; i++) await createHook(org.adminKey);
    const first = await call("GET", "/v1/webhooks?limit=2", { key: org.adminKey });
    expect(first.json.data).toHaveLength(2);
    const second = await call("GET", `/v1/webhooks?limit=2&cursor=${first.json.nextCursor}`, { key: org.adminKey });
    expect(second.json.data).toHaveLength(1);
    expect(second.json.nextCursor).toBeNull();
  });
});

describe("webhooks validation and the outbound guard", () => {
  it.each([
    ["http://10.0.0.1/hook", "private"],
    ["http://169.254.169.254/latest/meta-data", "linkLocal"],
    ["http://metadata.google.internal/x", "Metadata"],
    ["http://user:pw@example.com/hook", "Credentials"],
    ["ftp://example.com/hook", "Scheme"],
  ])("refuses %s at create with VALIDATION_ERROR", async (url, reason) => {
    const org = await createOrg();
    const res = await createHook(org.adminKey, { url });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("VALIDATION_ERROR");
    expect(JSON.stringify(res.json.error)).toContain(reason);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM webhooks WHERE org_id = ?").bind(org.orgId).first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("refuses a guarded URL on patch too", async () => {
    const org = await createOrg();
    const { json: hook } = await createHook(org.adminKey);
    const res = await call("PATCH", `/v1/webhooks/${hook.id}`, { key: org.adminKey, body: { url: "http://[::ffff:10.0.0.1]/hook" } });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].path).toBe("url");
    expect((await call("GET", `/v1/webhooks/${hook.id}`, { key: org.adminKey })).json.url).toBe(hook.url);
  });

  it.each([
    [{ url: "not a url", events }],
    [{ url: "https://example.com/h", events: [] }],
    [{ url: "https://example.com/h", events: ["entity.exploded"] }],
    [{ url: "https://example.com/h", events, secret: "whsec_mine" }],
  ])("rejects a malformed body %j", async (body) => {
    const org = await createOrg();
    const res = await call("POST", "/v1/webhooks", { key: org.adminKey, body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("VALIDATION_ERROR");
  });
});

describe("webhooks permissions", () => {
  it.each([
    ["viewer", 403, 200],
    ["member", 403, 200],
    ["admin", 201, 200],
  ] as const)("%s: create %i, read %i", async (role, createStatus, readStatus) => {
    const org = await createOrg();
    const key = role === "admin" ? org.adminKey : (await createKey(org.adminKey, role)).key;
    expect((await createHook(key)).status).toBe(createStatus);
    const { json: hook } = await createHook(org.adminKey);
    expect((await call("GET", "/v1/webhooks", { key })).status).toBe(readStatus);
    expect((await call("GET", `/v1/webhooks/${hook.id}`, { key })).status).toBe(readStatus);
    expect((await call("GET", `/v1/webhooks/${hook.id}/deliveries`, { key })).status).toBe(readStatus);
    const admin = role === "admin";
    expect((await call("PATCH", `/v1/webhooks/${hook.id}`, { key, body: { enabled: false } })).status).toBe(admin ? 200 : 403);
    expect((await call("POST", `/v1/webhooks/${hook.id}/test`, { key })).status).toBe(admin ? 202 : 403);
    expect((await call("DELETE", `/v1/webhooks/${hook.id}`, { key })).status).toBe(admin ? 204 : 403);
  });

  it("needs an API key", async () => {
    expect((await call("GET", "/v1/webhooks")).status).toBe(401);
    expect((await call("POST", "/v1/webhooks", { body: { url: "https://example.com", events } })).status).toBe(401);
  });

  it("answers 404 for another organization's webhook and delivery", async () => {
    const owner = await createOrg();
    const other = await createOrg();
    const { json: hook } = await createHook(owner.adminKey);
    const ping = await call("POST", `/v1/webhooks/${hook.id}/test`, { key: owner.adminKey });
    expect(ping.status).toBe(202);
    for (const [method, path, body] of [
      ["GET", `/v1/webhooks/${hook.id}`, undefined],
      ["PATCH", `/v1/webhooks/${hook.id}`, { enabled: false }],
      ["DELETE", `/v1/webhooks/${hook.id}`, undefined],
      ["POST", `/v1/webhooks/${hook.id}/test`, undefined],
      ["GET", `/v1/webhooks/${hook.id}/deliveries`, undefined],
      ["POST", `/v1/webhook-deliveries/${ping.json.id}/redeliver`, undefined],
    ] as const) {
      const res = await call(method, path, { key: other.adminKey, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await call("GET", "/v1/webhooks", { key: other.adminKey })).json.data).toEqual([]);
    expect((await call("GET", `/v1/webhooks/${hook.id}`, { key: owner.adminKey })).json.enabled).toBe(true);
  });
});
