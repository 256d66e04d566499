import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSafeFetch } from "../../src/platform/lib/outbound-fetch";
import { callModel } from "../../src/providers/llm/client";
import { delimitData } from "../../src/providers/llm/delimit";
import { startFakeProvider } from "../fake-provider/server";

/** The fake LLMs outside workerd, as a bench or an e2e run starts them: one Node server, several providers. */
let server: Awaited<ReturnType<typeof startFakeProvider>>;
let base: string;

beforeAll(async () => {
  server = await startFakeProvider();
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const schema = { type: "object", properties: { name: { type: "string" }, employees: { type: "integer" } }, required: ["name"] };
const fetch = createSafeFetch({ allowLoopback: true });

describe("fake LLMs from Node", () => {
  it("serves concurrent calls of three providers at a fixed latency and counts them per model and in flight", async () => {
    const id = `node-${Date.now()}`;
    const spec = `~id=${id};latency=200`;
    const providers = [
      { provider: "openai", baseUrl: `${base}/openai/${spec}/v1`, model: "gpt-4o-mini" },
      { provider: "anthropic", baseUrl: `${base}/anthropic/${spec}`, model: "claude-haiku-4-5-20251001" },
      { provider: "google", baseUrl: `${base}/google/${spec}/v1beta`, model: "gemini-2.5-flash" },
    ] as const;
    const calls = [1, 2, 3].flatMap((n) =>
      providers.map((p) =>
        callModel(
          { provider: p.provider, baseUrl: p.baseUrl, apiKey: "k-123456", fetch },
          { model: p.model, system: "s", user: delimitData("Entity", { name: `E${n}` }, "b0"), jsonSchema: schema, schemaName: "x", maxOutputTokens: 200 },
        ),
      ),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => typeof r.json.name === "string")).toBe(true);
    const stats = (await (await globalThis.fetch(`${base}/fake-llm/calls?id=${id}`)).json()) as { total: number; peakInFlight: number; byKey: Record<string, number> };
    expect(stats.total).toBe(9);
    expect(stats.peakInFlight).toBe(9);
    expect(stats.byKey).toEqual({ "openai::gpt-4o-mini|ok": 3, "anthropic::claude-haiku-4-5-20251001|ok": 3, "google::gemini-2.5-flash|ok": 3 });
  });
});
