import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { readSettings } from "../../src/platform/env";
import { call, createOrg } from "../helpers/api";
import { type CallOptions, requestInit, resultOf } from "../helpers/http-call";

/**
 * The compatibility APIs as a whole (src/features/compat): `COMPAT_APIS` decides which are served (a product left
 * out answers exactly like a route that does not exist, and leaves /openapi.json), and /openapi.json lists each
 * served product under its own tag with its operations.
 */
type Op = { tags?: string[]; "x-compat"?: string };
type Doc = { tags?: { name: string; description?: string }[]; paths: Record<string, Record<string, Op>> };

/** Calls the Worker with COMPAT_APIS set to `compat` (settings are read per env object, so this is another deployment). */
async function callWith(compat: string, method: string, path: string, options: CallOptions = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://dossier.test${path}`, requestInit(method, options)), { ...env, COMPAT_APIS: compat }, ctx);
  await waitOnExecutionContext(ctx);
  return resultOf(res);
}

/** Each product's routes Dossier adds (SalesOS has none: its paths are Dossier's own). */
const ROUTES: Record<string, [string, string, unknown?][]> = {
  "entity-enricher": [
    ["GET", "/api/schema/saved"],
    ["POST", "/api/single/enrich/stream", { entity_data: { name: "Acme" } }],
    ["GET", `/api/records/${crypto.randomUUID()}`],
    ["GET", `/api/llm/stream/${crypto.randomUUID()}`],
  ],
  lance: [
    ["POST", `/api/v1/operations/enrichment/${crypto.randomUUID()}?field=emails`],
    ["GET", `/api/v1/operations/enrichment/${crypto.randomUUID()}?field=emails`],
  ],
  instaview: [
    ["POST", "/sourcing/enrich", { profileIds: ["profile_x"] }],
    ["GET", `/sourcing/enrich/enr_${crypto.randomUUID()}/results`],
  ],
  gu1: [
    ["POST", "/integration-execution/marketplace/enrichment", { entityId: crypto.randomUUID(), integrationCodes: ["phone_normalize"] }],
    ["POST", "/integration-execution/marketplace/enrichment-by-external-id", { externalId: "crm-1", integrationCodes: ["phone_normalize"] }],
  ],
};

const TAGS: Record<string, string> = {
  "entity-enricher": "Compatibility: Entity Enricher",
  lance: "Compatibility: Lance",
  instaview: "Compatibility: Instaview",
  gu1: "Compatibility: gu1",
  salesos: "Compatibility: SalesOS",
};

/** The operations listed under a tag, as "method path". */
const operationsTagged = (doc: Doc, tag: string) =>
  Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.entries(item).flatMap(([method, op]) => (op.tags?.includes(tag) ? [`${method} ${path}`] : [])))
    .sort();

describe("COMPAT_APIS", () => {
  it("reads all (the default), none, or a comma list of products; an unknown name is a configuration error", () => {
    const set = (value: string | undefined) => [...readSettings({ ...env, COMPAT_APIS: value as string }).COMPAT_APIS].sort();
    const all = ["entity-enricher", "gu1", "instaview", "lance", "salesos"];
    expect(set("all")).toEqual(all);
    expect(set(undefined)).toEqual(all);
    expect(set("none")).toEqual([]);
    expect(set(" Lance , gu1 ")).toEqual(["gu1", "lance"]);
    expect(() => set("lance,nope")).toThrow(/COMPAT_APIS: unknown nope/);
  });

  it("a product left out answers 404 exactly like a route that does not exist, with or without a key; the others are served", async () => {
    const org = await createOrg();
    const key = { authorization: `Bearer ${org.adminKey}` };
    const unknownRoute = await callWith("none", "GET", "/no/such/route");
    expect(unknownRoute.status).toBe(404);
    for (const [product, routes] of Object.entries(ROUTES)) {
      for (const [method, path, body] of routes) {
        for (const headers of [{}, key]) {
          const off = await callWith("none", method, path, { headers, ...(body === undefined ? {} : { body }) });
          expect(off.status, `${product}: ${method} ${path}`).toBe(404);
          expect(off.text, `${product}: ${method} ${path}`).toBe(unknownRoute.text);
        }
        // Served (only this product on): it answers as its own route does, here 401 without a key.
        const on = await callWith(product, method, path, { ...(body === undefined ? {} : { body }) });
        expect(on.status, `${product} on: ${method} ${path}`).toBe(401);
        const others = Object.keys(ROUTES).filter((p) => p !== product).join(",");
        expect((await callWith(others, method, path, { headers: key, ...(body === undefined ? {} : { body }) })).status, `${product} off`).toBe(404);
      }
    }
    // SalesOS's paths are Dossier's own: turning it off only drops its tag.
    expect((await callWith("none", "GET", "/v1/auto-enrichment/config", { headers: key })).status).toBe(200);
  });

  it("/openapi.json lists each served product's tag, with its description and operations, after Dossier's own tags", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.json as Doc;
    const tags = (doc.tags ?? []).map((t) => t.name);
    expect(tags.slice(-5)).toEqual(Object.values(TAGS));
    expect(tags).toContain("Auto-enrichment");
    for (const tag of Object.values(TAGS)) expect(doc.tags?.find((t) => t.name === tag)?.description, tag).toMatch(/Bearer|X-API-Key/);

    expect(operationsTagged(doc, TAGS.lance as string)).toEqual(["get /api/v1/operations/enrichment/{personId}", "post /api/v1/operations/enrichment/{personId}"]);
    expect(operationsTagged(doc, TAGS.instaview as string)).toEqual(["get /sourcing/enrich/{requestId}/results", "post /sourcing/enrich"]);
    expect(operationsTagged(doc, TAGS.gu1 as string)).toEqual([
      "post /integration-execution/marketplace/enrichment",
      "post /integration-execution/marketplace/enrichment-by-external-id",
    ]);
    // SalesOS's 13 documented calls: Dossier's operations, listed under its tag as well.
    const salesos = operationsTagged(doc, TAGS.salesos as string);
    expect(salesos).toHaveLength(13);
    expect(salesos).toEqual(
      expect.arrayContaining(["get /v1/auto-enrichment/jobs", "post /v1/auto-enrichment/conflicts/{id}/resolve", "put /v1/auto-enrichment/conflicts/{id}/resolve", "put /v1/auto-enrichment/config"]),
    );
    expect(doc.paths["/v1/auto-enrichment/jobs"]?.get?.tags).toEqual(["Auto-enrichment", TAGS.salesos]);
    for (const [product, routes] of Object.entries(ROUTES)) {
      for (const [method, path] of routes) {
        const template = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path.split("?")[0] as string));
        expect(template && doc.paths[template]?.[method.toLowerCase()]?.["x-compat"], `${method} ${path}`).toBe(product);
      }
    }
  });

  it("/openapi.json drops the operations and the tag of a product left out", async () => {
    const res = await callWith("lance,salesos", "GET", "/openapi.json");
    const doc = res.json as Doc;
    const tags = (doc.tags ?? []).map((t) => t.name);
    expect(tags.filter((t) => t.startsWith("Compatibility: "))).toEqual([TAGS.lance, TAGS.salesos]);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/sourcing") || p.startsWith("/integration-execution"))).toEqual([]);
    expect(operationsTagged(doc, TAGS.lance as string)).toHaveLength(2);
    // Entity Enricher's /api/... paths go; Lance's /api/v1/operations/... stay.
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/api/") && !p.startsWith("/api/v1/operations/"))).toEqual([]);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/api/v1/operations/"))).toHaveLength(1);

    const none = (await callWith("none", "GET", "/openapi.json")).json as Doc;
    expect((none.tags ?? []).map((t) => t.name).filter((t) => t.startsWith("Compatibility: "))).toEqual([]);
    const compatOps = Object.values(none.paths).flatMap((item) => Object.values(item).filter((op) => op["x-compat"]));
    expect(compatOps).toEqual([]);
    // Dossier's own operations stay, SalesOS's among them, without its tag.
    expect(none.paths["/v1/auto-enrichment/jobs"]?.get?.tags).toEqual(["Auto-enrichment"]);
  });
});
