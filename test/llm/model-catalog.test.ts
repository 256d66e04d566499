import { describe, expect, it } from "vitest";
import { listModels, parseModelKey, resolveAlias, resolveModel } from "../../src/providers/llm/model-catalog";
import { MODEL_ALIASES, MODELS } from "../../src/providers/llm/models";

describe("model keys", () => {
  it.each([
    ["openai::gpt-4o", { provider: "openai", model: "gpt-4o" }],
    ["workers-ai::@cf/meta/llama-3.3-70b-instruct-fp8-fast", { provider: "workers-ai", model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" }],
    ["ollama::llama3.1:8b", { provider: "ollama", model: "llama3.1:8b" }],
  ])("parses %s", (key, parts) => {
    expect(parseModelKey(key)).toEqual(parts);
  });

  it.each(["gpt-4o", "::gpt-4o", "OpenAI::gpt-4o", "openai::", "openai::gpt 4o"])("refuses %j", (key) => {
    expect(parseModelKey(key)).toBeNull();
  });
});

describe("price table", () => {
  it("every entry is complete and priced", () => {
    for (const m of MODELS) {
      expect(m.inputPerMTok).toBeGreaterThan(0);
      expect(m.outputPerMTok).toBeGreaterThanOrEqual(m.inputPerMTok);
      expect(m.contextLength).toBeGreaterThan(m.maxOutputTokens / 4);
    }
  });

  it("the documents' keys resolve: Sonnet 4.5's documented key is an alias of the real snapshot", () => {
    expect(resolveAlias("anthropic::claude-sonnet-4-5-20250514")).toBe("anthropic::claude-sonnet-4-5-20250929");
    for (const key of ["anthropic::claude-sonnet-4-5-20250514", "openai::gpt-4o", "google::gemini-2.5-pro", "deepseek::deepseek-chat"]) {
      expect(resolveModel(key), key).not.toBeNull();
    }
    expect(resolveModel("anthropic::claude-sonnet-4-5-20250514")).toMatchObject({
      key: "anthropic::claude-sonnet-4-5-20250929",
      aliasOf: "anthropic::claude-sonnet-4-5-20250514",
      model: "claude-sonnet-4-5-20250929",
      structured: "json_schema",
    });
  });

  it("every alias points at a model in the table", () => {
    for (const target of Object.values(MODEL_ALIASES)) expect(resolveModel(target), target).not.toBeNull();
  });

  it("resolves prices and capabilities; unknown models are null", () => {
    expect(resolveModel("openai::gpt-4o")).toMatchObject({
      price: { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
      contextLength: 128_000,
      structured: "json_schema_strict",
      source: "builtin",
    });
    expect(resolveModel("deepseek::deepseek-chat")?.structured).toBe("json_mode");
    expect(resolveModel("openai::gpt-9")).toBeNull();
  });

  it("an organization's override wins and may add a model", () => {
    expect(resolveModel("openai::gpt-4o", [{ model: "gpt-4o", inputPerMTok: 2, outputPerMTok: 8 }])).toMatchObject({
      price: { inputPerMTok: 2, cachedInputPerMTok: 2, outputPerMTok: 8 },
      contextLength: 128_000,
      structured: "json_schema_strict",
      source: "override",
    });
    expect(resolveModel("ollama::llama3.1:8b", [{ model: "llama3.1:8b", inputPerMTok: 0, outputPerMTok: 0, contextLength: 8192, structuredOutput: true }])).toMatchObject({
      provider: "ollama",
      displayName: "llama3.1:8b",
      structured: "json_schema",
      contextLength: 8192,
    });
    const list = listModels({ openai_compatible: [{ model: "qwen", inputPerMTok: 0.1, outputPerMTok: 0.2 }] });
    expect(list).toHaveLength(MODELS.length + 1);
    expect(list.at(-1)).toMatchObject({ key: "openai_compatible::qwen", structured: "json_mode" });
  });
});
