import { z } from "zod";
import { normalizeDomain } from "../domain/attributes";
import { EnrichmentError, errorFromResponse, noData } from "./errors";
import type { Integration } from "./types";

const configSchema = z.object({ baseUrl: z.string().url() });

/**
 * `http_lookup`: a minimal provider behind a configurable base URL. It is what the core's tests
 * point at a fake server, and a template for writing a real adapter.
 * GET {baseUrl}/lookup?integration=&email=&domain=&name=&scenario= → {"fields":{…},"confidence":0..1}
 */
const httpLookup = (code: string, name: string): Integration => ({
  code,
  name,
  description: "Looks an entity up at a configurable HTTP endpoint answering {fields, confidence}.",
  entityTypes: ["person", "company"],
  inputs: [["email"], ["domain"], ["companyDomain"], ["fullName"], ["name"]],
  outputs: ["*"],
  credits: 1,
  costCents: 2,
  timeoutMs: 3000,
  retry: { maxAttempts: 3, baseDelayMs: 50 },
  maxConcurrency: 50,
  cache: { ttlSeconds: 7 * 24 * 3600, scope: "global" },
  credentialNames: [],
  enabledByDefault: false,
  configSchema,
  lookupKey(input) {
    const a = input.attributes;
    const domain = typeof a.domain === "string" ? a.domain : typeof a.companyDomain === "string" ? a.companyDomain : undefined;
    const parts = [
      a.email,
      domain ? normalizeDomain(domain) : undefined,
      typeof a.fullName === "string" ? a.fullName.toLowerCase() : typeof a.name === "string" ? a.name.toLowerCase() : undefined,
      input.params.scenario,
    ];
    return JSON.stringify(parts.map((p) => p ?? null));
  },
  async execute(input, ctx) {
    const { baseUrl } = configSchema.parse(ctx.config);
    const url = new URL("lookup", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
    url.searchParams.set("integration", code);
    const a = input.attributes;
    for (const [name, value] of Object.entries({
      email: a.email,
      domain: a.domain ?? a.companyDomain,
      name: a.fullName ?? a.name,
      scenario: input.params.scenario,
    })) {
      if (typeof value === "string") url.searchParams.set(name, value);
    }
    if (ctx.credentials.apiKey) url.searchParams.set("auth", "1");
    const res = await ctx.fetch(url, { headers: ctx.credentials.apiKey ? { authorization: `Bearer ${ctx.credentials.apiKey}` } : {} });
    if (!res.ok) throw errorFromResponse(res, await res.text().catch(() => ""));
    const body = (await res.json()) as { fields?: Record<string, unknown>; confidence?: number; costCents?: number };
    const fields = body.fields ?? {};
    if (Object.keys(fields).length === 0) throw noData();
    if (typeof body.confidence !== "number") throw new EnrichmentError("SYSTEM", "Provider answer had no confidence", "system");
    return {
      enrichmentData: body as Record<string, unknown>,
      fields,
      dataQuality: { completeness: 1, confidence: body.confidence },
      summary: `Found ${Object.keys(fields).join(", ")}`,
      costCents: body.costCents,
    };
  },
});

/** Several instances, so ordering, waterfalls, partial failures and 3-way fan-out can be shown with one fake. */
export const testIntegrations: Integration[] = [
  httpLookup("http_lookup", "HTTP lookup"),
  httpLookup("http_lookup_alt", "HTTP lookup (second source)"),
  httpLookup("http_lookup_third", "HTTP lookup (third source)"),
];
