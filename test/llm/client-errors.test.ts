import { describe, expect, it } from "vitest";
import { LlmCallError } from "../../src/providers/llm/llm-errors";
import type { LlmProvider } from "../../src/providers/llm/types";
import { PROVIDERS, callFake, fakeCalls, newId } from "./helpers";

async function failure(provider: LlmProvider, spec: string, entity: unknown = { name: "Acme" }, signal?: AbortSignal): Promise<LlmCallError> {
  const error = await callFake(provider, spec, entity, { signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmCallError);
  return error as LlmCallError;
}

describe.each(PROVIDERS)("%s failures", (provider) => {
  it("a rate limit is RATE_LIMITED, retryable", async () => {
    const e = await failure(provider, `id=${newId()};fail=rate_limit`);
    expect(e).toMatchObject({ code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 429 });
    // Workers AI sends no wait; OpenAI and Anthropic say `retry-after: 2`; Gemini says it in RetryInfo only.
    if (provider !== "workers-ai") expect(e.retryAfterMs).toBe(2000);
  });

  it("retry-after-ms wins over retry-after", async () => {
    const e = await failure(provider, `id=${newId()};fail=rate_limit_ms`);
    expect(e.code).toBe("RATE_LIMITED");
    expect(e.retryAfterMs).toBe(250);
  });

  it("an exhausted quota is told apart from a rate limit and is not retried", async () => {
    const e = await failure(provider, `id=${newId()};fail=quota`);
    expect(e).toMatchObject({ code: "LLM_QUOTA_EXHAUSTED", retryable: false });
    expect(e.statusCode).toBe(provider === "deepseek" ? 402 : 429);
  });

  it("a wrong key is AUTH_ERROR (Gemini says so with a 400)", async () => {
    const e = await failure(provider, `id=${newId()};fail=auth`);
    expect(e).toMatchObject({ code: "AUTH_ERROR", category: "auth_error", retryable: false });
  });

  it("a 500 is HTTP_500, retryable", async () => {
    const e = await failure(provider, `id=${newId()};fail=server_error`);
    expect(e).toMatchObject({ code: "HTTP_500", retryable: true, statusCode: 500 });
  });

  it("an unknown model is HTTP_404, a configuration problem, not retried", async () => {
    const e = await failure(provider, `id=${newId()};fail=not_found`);
    expect(e).toMatchObject({ code: "HTTP_404", category: "configuration", retryable: false });
  });

  it("an overloaded provider is retryable and says so", async () => {
    const e = await failure(provider, `id=${newId()};fail=overloaded`);
    expect(e.retryable).toBe(true);
    if (provider === "anthropic") expect(e).toMatchObject({ code: "HTTP_529", statusCode: 529 });
    expect(e.message).toMatch(/overload|capacity/i);
  });

  it("a truncated answer is LLM_TRUNCATED naming maxOutputTokens, with the usage spent", async () => {
    const e = await failure(provider, `id=${newId()};fail=truncate`);
    expect(e).toMatchObject({ code: "LLM_TRUNCATED", retryable: false });
    expect(e.message).toContain("1024");
    expect(e.usage?.outputTokens).toBeGreaterThan(0);
    expect(e.attempts).toHaveLength(1);
  });

  it("the hang is cut by the caller's deadline: ENRICHMENT_TIMEOUT, retryable", async () => {
    const e = await failure(provider, `id=${newId()};fail=hang`, { name: "Acme" }, AbortSignal.timeout(200));
    expect(e).toMatchObject({ code: "ENRICHMENT_TIMEOUT", category: "timeout", retryable: true });
  });

  it("invalid JSON once: one repair attempt with the errors, then success; usage sums both", async () => {
    const id = newId();
    const r = await callFake(provider, `id=${id};fail=invalid_json;times=1`, { name: "Acme" });
    expect(r.attempts).toHaveLength(2);
    expect(r.attempts[0]?.validationErrors[0]?.message).toMatch(/not a JSON object/);
    expect(r.usage.outputTokens).toBe((r.attempts[0]?.usage.outputTokens ?? 0) + (r.attempts[1]?.usage.outputTokens ?? 0));
    expect(JSON.stringify(r.requestBody)).toContain("does not conform to the JSON schema");
    expect(await fakeCalls(id)).toMatchObject({ total: 2, byOutcome: { invalid_json: 1, ok: 1 } });
  });

  it("output that breaks the schema once is repaired; the repair request lists the failing paths", async () => {
    const r = await callFake(provider, `id=${newId()};fail=schema_invalid;times=1`, { name: "Acme" });
    expect(r.attempts).toHaveLength(2);
    expect(r.attempts[0]?.validationErrors.map((e) => e.instancePath)).toContain("/legalName");
    expect(JSON.stringify(r.requestBody)).toContain("/legalName");
    expect(r.attempts[1]?.validationErrors).toEqual([]);
  });

  it("invalid twice is LLM_OUTPUT_INVALID with the validation errors; no third call", async () => {
    const id = newId();
    const e = await failure(provider, `id=${id};fail=schema_invalid`);
    expect(e).toMatchObject({ code: "LLM_OUTPUT_INVALID", retryable: false });
    expect(e.validationErrors.length).toBeGreaterThan(0);
    expect(e.toJSON()).toHaveProperty("validationErrors");
    expect(e.attempts).toHaveLength(2);
    expect((await fakeCalls(id)).total).toBe(2);
  });
});

describe("refusals are LLM_REFUSED and never retried", () => {
  it.each(["openai", "anthropic", "google"] as const)("%s", async (provider) => {
    const id = newId();
    const e = await failure(provider, `id=${id};fail=refuse`);
    expect(e).toMatchObject({ code: "LLM_REFUSED", retryable: false });
    expect((await fakeCalls(id)).total).toBe(1);
  });
});

describe("scenario from the entity data or the model name", () => {
  it("a marker in the entity data picks the fault for that entity only", async () => {
    const id = newId();
    const e = await failure("openai", `id=${id}`, { name: "Acme [[fake-llm fail=quota]]" });
    expect(e.code).toBe("LLM_QUOTA_EXHAUSTED");
    await expect(callFake("openai", `id=${id}`, { name: "Globex" })).resolves.toMatchObject({ finishReason: "stop" });
  });

  it("a spec after @ in the model name picks the fault for that model; the fake reports the bare model", async () => {
    const id = newId();
    const e = await callFake("openai_compatible", `id=${id}`, { name: "Acme" }, { model: "llama3.1:8b@fail=overloaded" }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "HTTP_503", retryable: true });
    expect((await fakeCalls(id)).byModel).toEqual({ "openai_compatible::llama3.1:8b": 1 });
  });

  it("a key starting with 'invalid' is refused like a wrong key", async () => {
    const { callModel } = await import("../../src/providers/llm/client");
    const { clientFor, companySchema } = await import("./helpers");
    const e = await callModel(clientFor("anthropic", `id=${newId()}`, { apiKey: "invalid-key" }), {
      model: "claude-haiku-4-5-20251001",
      system: "s",
      user: "u",
      jsonSchema: companySchema,
      schemaName: "x",
      maxOutputTokens: 100,
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "AUTH_ERROR", statusCode: 401 });
  });
});

describe("transport", () => {
  it("a base URL the outbound guard refuses is a configuration error, never fetched", async () => {
    const { callModel } = await import("../../src/providers/llm/client");
    const { createSafeFetch } = await import("../../src/platform/lib/outbound-fetch");
    const { companySchema } = await import("./helpers");
    const e = await callModel(
      { provider: "openai_compatible", baseUrl: "http://169.254.169.254/v1", fetch: createSafeFetch({ allowLoopback: false }) },
      { model: "m", system: "s", user: "u", jsonSchema: companySchema, schemaName: "x", maxOutputTokens: 10 },
    ).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "SYSTEM", category: "configuration", retryable: false });
  });
});
