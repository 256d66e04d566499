import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  parameters?: { name: string; in: string; schema?: unknown }[];
  security?: Record<string, string[]>[];
  tags?: string[];
  "x-compat"?: string;
  "x-error-shape"?: string;
}

async function document() {
  const res = await call("GET", "/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  return res.json as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: any };
}

function operations(paths: Record<string, Record<string, Operation>>) {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
}

/** The foundation's routes; later issues add theirs, which the generic checks below cover too. */
const foundationRoutes: [string, string][] = [
  ["get", "/healthz"],
  ["post", "/v1/admin/organizations"],
  ["get", "/v1/admin/organizations"],
  ["post", "/v1/api-keys"],
  ["get", "/v1/api-keys"],
  ["delete", "/v1/api-keys/{id}"],
  ["post", "/v1/entities"],
  ["get", "/v1/entities"],
  ["get", "/v1/entities/{id}"],
  ["patch", "/v1/entities/{id}"],
  ["delete", "/v1/entities/{id}"],
  ["get", "/v1/entities/by-external-id/{externalId}"],
  ["put", "/v1/entities/by-external-id/{externalId}"],
  ["get", "/v1/audit-log"],
];

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document for the Dossier API with both security schemes", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Dossier API");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminToken", "apiKey"]);
  });

  it.each(foundationRoutes)("lists %s %s", async (method, path) => {
    const doc = await document();
    expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });

  it("every path has an operation, and every operation a success response", async () => {
    const doc = await document();
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(foundationRoutes.length - 2);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(Object.keys(item).filter((k) => METHODS.includes(k)).length, path).toBeGreaterThan(0);
      // Dossier's own API is under /v1; a compatibility API (x-compat) serves its product's paths, under its product's tag.
      const compat = Object.values(item).map((op) => op["x-compat"]);
      if (compat.some(Boolean)) {
        expect(new Set(compat).size, `${path}: one product per path`).toBe(1);
        for (const op of Object.values(item)) expect(op.tags?.[0], path).toMatch(/^Compatibility: /);
      } else expect(path.startsWith("/v1/") || path === "/healthz", path).toBe(true);
    }
    for (const { path, method, op } of operations(doc.paths)) {
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses.some((s) => s.startsWith("2")), `${method} ${path}`).toBe(true);
    }
  });

  it("every request body and every success body declares a media type with a schema", async () => {
    const doc = await document();
    for (const { path, method, op } of operations(doc.paths)) {
      const where = `${method} ${path}`;
      if (op.requestBody) {
        const media = Object.values(op.requestBody.content ?? {});
        expect(media.length, where).toBeGreaterThan(0);
        for (const m of media) expect(m.schema, where).toBeDefined();
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!status.startsWith("2") || status === "204") continue;
        const media = Object.entries(response.content ?? {});
        expect(media.length, `${where} ${status}`).toBeGreaterThan(0);
        for (const [type, m] of media) expect(m.schema, `${where} ${status} ${type}`).toBeDefined();
      }
    }
  });

  it("every JSON write of the foundation declares its body, and every path parameter is declared", async () => {
    const doc = await document();
    for (const [method, path] of foundationRoutes) {
      const op = doc.paths[path]?.[method] as Operation;
      if (["post", "put", "patch"].includes(method)) expect(op.requestBody, `${method} ${path}`).toBeDefined();
    }
    for (const { path, method, op } of operations(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
      const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      expect(declared.sort(), `${method} ${path}`).toEqual(inPath.sort());
    }
  });

  it("routes that need a key list the failures a client must handle", async () => {
    const doc = await document();
    for (const { path, method, op } of operations(doc.paths)) {
      const where = `${method} ${path}`;
      expect(op.responses?.["500"], `${where} 500`).toBeDefined();
      if (op.parameters?.length || op.requestBody) expect(op.responses?.["400"], `${where} 400`).toBeDefined();
      if (op.security?.length === 0) continue;
      expect(op.responses?.["401"], `${where} 401`).toBeDefined();
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        // A compatibility API whose document has its own error body names it in x-error-shape.
        const schema = op["x-error-shape"] ? expect.anything() : { $ref: "#/components/schemas/Error" };
        if (Number(status) >= 400) expect(response.content?.["application/json"]?.schema, `${where} ${status}`).toEqual(schema);
      }
    }
    expect(doc.paths["/healthz"]?.get?.security, "GET /healthz is public").toEqual([]);
    const create = doc.paths["/v1/entities"]?.post as Operation;
    expect(Object.keys(create.responses ?? {})).toEqual(expect.arrayContaining(["201", "409", "413", "422", "429"]));
    expect(create.parameters?.map((p) => p.name)).toContain("idempotency-key");
  });
});

describe("GET /docs", () => {
  it("serves an interactive HTML reference that loads /openapi.json", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text.toLowerCase()).toContain("<html");
    expect(res.text).toContain("/openapi.json");
  });
});
