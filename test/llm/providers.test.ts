import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { llmOrg } from "./run-helpers";

describe("LLM providers", () => {
  it("seals a provider's key, never returns it, and says who configured what", async () => {
    const org = await createOrg();
    const put = await call("PUT", "/v1/llm/providers/anthropic", { key: org.adminKey, body: { apiKey: "sk-ant-super-secret-123", models: [{ model: "claude-haiku-4-5-20251001", inputPerMTok: 0.5, outputPerMTok: 2.5 }] } });
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({ provider: "anthropic", type: "anthropic", configured: true, credentialSource: "organization", apiKeyConfigured: true });
    expect(put.text).not.toContain("sk-ant-super-secret-123");
    const again = await call("PUT", "/v1/llm/providers/anthropic", { key: org.adminKey, body: { enabled: false } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ enabled: false, apiKeyConfigured: true });

    const row = await env.DB.prepare("SELECT api_key_encrypted AS sealed FROM llm_provider_settings WHERE org_id = ? AND name = 'anthropic'").bind(org.orgId).first<{ sealed: string }>();
    expect(row?.sealed).toMatch(/^v1\./);
    expect(row?.sealed).not.toContain("super-secret");

    const list = await call("GET", "/v1/llm/providers", { key: org.adminKey });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain("sk-ant-super-secret-123");
    const byName = Object.fromEntries(list.json.data.map((p: { provider: string }) => [p.provider, p]));
    expect(Object.keys(byName)).toEqual(["openai", "anthropic", "google", "deepseek", "workers-ai"]);
    // The operator's default key (a secret of the deployment) serves OpenAI for everyone without their own.
    expect(byName.openai).toMatchObject({ configured: true, credentialSource: "operator", apiKeyConfigured: false });
    expect(byName.google).toMatchObject({ configured: false, credentialSource: null });
    expect(byName.anthropic).toMatchObject({ enabled: false, configured: true });

    const audit = await call("GET", "/v1/audit-log?action=llm_provider.updated", { key: org.adminKey });
    expect(audit.text).not.toContain("super-secret");

    expect((await call("DELETE", "/v1/llm/providers/anthropic", { key: org.adminKey })).status).toBe(204);
    expect((await call("DELETE", "/v1/llm/providers/anthropic", { key: org.adminKey })).status).toBe(404);
  });

  it("names OpenAI-compatible servers, which need a base URL that the outbound guard accepts", async () => {
    const org = await createOrg();
    const missing = await call("PUT", "/v1/llm/providers/local", { key: org.adminKey, body: { models: [{ model: "m", inputPerMTok: 0, outputPerMTok: 0 }] } });
    expect(missing.status).toBe(400);
    expect(missing.json.error.details[0].path).toBe("baseUrl");
    for (const url of ["http://10.0.0.8:11434/v1", "http://169.254.169.254/v1", "http://[::ffff:192.168.0.1]/v1"]) {
      const refused = await call("PUT", "/v1/llm/providers/local", { key: org.adminKey, body: { baseUrl: url } });
      expect(refused.status, url).toBe(400);
      expect(refused.json.error.details[0]).toMatchObject({ path: "baseUrl", code: "outbound_url" });
    }
    const badName = await call("PUT", "/v1/llm/providers/Bad%20Name", { key: org.adminKey, body: { baseUrl: "https://llm.example.com/v1" } });
    expect(badName.status).toBe(400);
    expect(badName.json.error.details[0].path).toBe("provider");
    const dupes = await call("PUT", "/v1/llm/providers/local", {
      key: org.adminKey,
      body: { baseUrl: "https://llm.example.com/v1", models: [{ model: "m", inputPerMTok: 0, outputPerMTok: 0 }, { model: "m", inputPerMTok: 1, outputPerMTok: 1 }] },
    });
    expect(dupes.json.error.details[0].path).toBe("models.1.model");
    const ok = await call("PUT", "/v1/llm/providers/local", { key: org.adminKey, body: { baseUrl: "https://llm.example.com/v1", models: [{ model: "llama3.1:8b", inputPerMTok: 0.1, outputPerMTok: 0.2 }] } });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ provider: "local", type: "openai_compatible", configured: true, credentialSource: null });
  });

  it("lists models with prices and availability; an organization's price wins over the table", async () => {
    const org = await llmOrg();
    await call("PUT", "/v1/llm/providers/openai", { key: org.adminKey, body: { models: [{ model: "gpt-4o-mini", inputPerMTok: 0.5, outputPerMTok: 1.5 }] } });
    const res = await call("GET", "/v1/llm/options", { key: org.adminKey });
    expect(res.status).toBe(200);
    const model = (key: string) => res.json.models.find((m: { key: string }) => m.key === key);
    expect(model("openai::gpt-4o-mini")).toMatchObject({ inputPricePerMTok: 0.5, outputPricePerMTok: 1.5, priceSource: "override", available: true });
    expect(model("openai::gpt-4o")).toMatchObject({ inputPricePerMTok: 2.5, outputPricePerMTok: 10, priceSource: "builtin", available: true, supportsStructuredOutput: true });
    expect(model("anthropic::claude-sonnet-4-5-20250929")).toMatchObject({ available: false, contextLength: 200_000 });
    expect(model("fake::alpha")).toMatchObject({ provider: "fake", inputPricePerMTok: 2, outputPricePerMTok: 8, available: true, structuredOutput: "json_schema" });
    expect(res.json.defaultModels).toEqual(["openai::gpt-4o-mini"]);
    expect(res.json.creditValueUsd).toBe("0.01");
    expect(res.json.strategies.map((s: { name: string }) => s.name)).toEqual(["auto", "single_pass", "multi_expertise"]);
    expect(res.json.languages).toContainEqual({ code: "fr", name: "French" });
  });

  it("refuses a run on a model whose provider is not configured, disabled or unknown, naming the path", async () => {
    const org = await llmOrg();
    const schema = { jsonSchema: { type: "object", properties: { name: { type: "string" } } } };
    const run = (models: string[]) => call("POST", "/v1/llm/enrichments", { key: org.adminKey, body: { entities: [{ name: "x" }], schema, models } });
    const cases: [string[], string, string][] = [
      [["google::gemini-2.5-flash"], "models.0", "provider_not_configured"],
      [["fake::alpha", "nobody::model"], "models.1", "unknown_provider"],
      [["fake::unlisted"], "models.0", "unknown_model"],
      [["not a key"], "models.0", "invalid_model"],
    ];
    for (const [models, path, code] of cases) {
      const res = await run(models);
      expect(res.status, models.join()).toBe(400);
      expect(res.json.error.details[0]).toMatchObject({ path, code });
    }
    await call("PUT", "/v1/llm/providers/fake", { key: org.adminKey, body: { enabled: false } });
    expect((await run(["fake::alpha"])).json.error.details[0].code).toBe("provider_disabled");
  });
});
