import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_ENCRYPTION_KEY } from "../constants";
import { call, createKey, createOrg } from "../helpers/api";
import { decryptSecret } from "../../src/platform/lib/crypto";

describe("integrations catalog", () => {
  it("lists every integration with this organization's enablement and credential state", async () => {
    const org = await createOrg();
    const res = await call("GET", "/v1/integrations", { key: (await createKey(org.adminKey, "viewer")).key });
    expect(res.status).toBe(200);
    const lookup = res.json.data.find((i: { code: string }) => i.code === "http_lookup");
    expect(lookup).toMatchObject({ enabled: false, credentialsConfigured: false, credits: 1, entityTypes: ["person", "company"] });
    expect(new Set(res.json.data.map((i: { code: string }) => i.code)).size).toBe(res.json.data.length);
  });

  it("enables and configures an integration, storing credentials encrypted and never returning them", async () => {
    const org = await createOrg();
    const secret = "sk_live_super_secret_value";
    const res = await call("PUT", "/v1/integrations/http_lookup", {
      key: org.adminKey,
      body: { enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL }, credentials: { apiKey: secret } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL } });
    expect(res.text).not.toContain(secret);
    const listed = await call("GET", "/v1/integrations", { key: org.adminKey });
    expect(listed.text).not.toContain(secret);

    const row = await env.DB.prepare("SELECT * FROM integration_settings WHERE org_id = ? AND code = 'http_lookup'").bind(org.orgId).first<{ credentials_encrypted: string; config: string }>();
    expect(row?.credentials_encrypted).toBeTruthy();
    expect(row?.credentials_encrypted).not.toContain(secret);
    expect(row?.config).not.toContain(secret);
    expect(JSON.parse(await decryptSecret(row?.credentials_encrypted ?? "", TEST_ENCRYPTION_KEY))).toEqual({ apiKey: secret });

    const audit = await call("GET", "/v1/audit-log?action=integration.updated", { key: org.adminKey });
    expect(audit.json.data[0].data).toMatchObject({ enabled: true, credentialNames: ["apiKey"], credentialsChanged: true });
    expect(audit.text).not.toContain(secret);
  });

  it("validates configuration, rejects unknown codes and non-admins", async () => {
    const org = await createOrg();
    const bad = await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { config: { baseUrl: "not a url" } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("config.baseUrl");
    expect((await call("PUT", "/v1/integrations/nope", { key: org.adminKey, body: { enabled: true } })).status).toBe(404);
    const member = await createKey(org.adminKey, "member");
    expect((await call("PUT", "/v1/integrations/http_lookup", { key: member.key, body: { enabled: true } })).status).toBe(403);
    expect((await call("PUT", "/v1/integrations/http_lookup", { key: org.adminKey, body: { enabled: "yes" } })).status).toBe(400);
  });

  it("keeps settings per organization", async () => {
    const a = await createOrg();
    const b = await createOrg();
    await call("PUT", "/v1/integrations/http_lookup", { key: a.adminKey, body: { enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL } } });
    const seenByB = (await call("GET", "/v1/integrations", { key: b.adminKey })).json.data.find((i: { code: string }) => i.code === "http_lookup");
    expect(seenByB).toMatchObject({ enabled: false, config: {} });
  });
});
