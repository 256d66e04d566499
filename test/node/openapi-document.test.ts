import SwaggerParser from "@apidevtools/swagger-parser";
import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { authorize, requireAdminToken } from "../../src/features/tenancy/authorize";
import { idempotent } from "../../src/platform/http/idempotency";
import { commonErrors, describeRoute, jsonBody, jsonResponse, notFoundError } from "../../src/platform/http/openapi";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "../constants";
import { type OpenApiDocument, accessOf, operationsOf } from "../contract/document";

/** Just what the app's start-up needs to serve the document; nothing here touches a binding. */
const env = { ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };

/** The document exactly as `GET /openapi.json` serves it, built in Node (validators compile with `new Function`, which workerd forbids). */
async function servedDocument(): Promise<Record<string, any>> {
  const res = await createApp().request("/openapi.json", {}, env);
  expect(res.status).toBe(200);
  return res.json();
}

describe("GET /openapi.json, validated in Node", () => {
  it("is a valid OpenAPI 3.1 document whose every $ref resolves", async () => {
    const doc = await servedDocument();
    expect(doc.openapi).toBe("3.1.0");
    // Checks against the official 3.1 JSON Schema, then dereferences every $ref.
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys((api as { paths: object }).paths)).toEqual(Object.keys(doc.paths));
  });

  it("the validator really rejects a broken document", async () => {
    const broken = structuredClone(await servedDocument());
    delete broken.info;
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
    const badRef = structuredClone(await servedDocument());
    badRef.paths["/v1/entities"].post.responses["201"].content["application/json"].schema = { $ref: "#/components/schemas/Nope" };
    await expect(SwaggerParser.validate(badRef as never)).rejects.toThrow();
  });

  it("documents every route the app serves (a plain Hono route would be missing from it)", async () => {
    const app = createApp();
    const doc = await servedDocument();
    const served = app.routes
      .filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(10);
    const documented = Object.entries(doc.paths as Record<string, Record<string, { responses?: object }>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        return `${method} ${path}`;
      }),
    );
    expect([...new Set(served)].sort()).toEqual([...documented].sort());
  });
});

describe("every route's contract is derived from what it runs", () => {
  it("every operation says who may call it: public, the operator, or an API key of at least x-min-role", async () => {
    const doc = (await servedDocument()) as OpenApiDocument;
    const access = operationsOf(doc).map((op) => [op.id, accessOf(op, doc).kind] as const);
    expect(access.filter(([, kind]) => kind === "public").map(([id]) => id)).toEqual(["GET /healthz"]);
    expect(access.filter(([id]) => id.includes("/v1/admin/")).every(([, kind]) => kind === "operator")).toBe(true);
    expect(access.filter(([id]) => !id.includes("/v1/admin/") && id !== "GET /healthz").every(([, kind]) => kind === "apiKey")).toBe(true);
  });

  const route = (overrides: Partial<Parameters<typeof createRoute>[0]>) =>
    createRoute({ method: "post", path: "/v1/things/{id}", responses: { 200: jsonResponse(z.object({}), "ok"), ...commonErrors }, ...overrides });

  it("adds the statuses a route's request shape and middleware make possible, and no others", () => {
    const member = describeRoute(
      route({
        middleware: [authorize("member"), idempotent()] as const,
        request: { params: z.object({ id: z.string() }), body: jsonBody(z.object({ name: z.string() })) },
      }),
    );
    expect(Object.keys(member.responses)).toEqual(["200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500"]);
    expect(member).toMatchObject({ security: [{ apiKey: [] }], "x-min-role": "member" });
    const viewer = describeRoute(route({ method: "get", path: "/v1/things", middleware: [authorize("viewer")] as const }));
    expect(Object.keys(viewer.responses)).toEqual(["200", "401", "429", "500"]);
    const operator = describeRoute(route({ method: "get", path: "/v1/admin/things", middleware: [requireAdminToken()] as const }));
    expect(Object.keys(operator.responses)).toEqual(["200", "401", "500"]);
    expect(operator.security).toEqual([{ adminToken: [] }]);
    const upsert = describeRoute(
      route({ method: "put", middleware: [authorize("member")] as const, request: { params: z.object({ id: z.string() }) }, responses: { 201: jsonResponse(z.object({}), "made") } }),
    );
    expect(upsert.responses).not.toHaveProperty("404");
  });

  it("refuses a route that says nothing about who may call it, contradicts its middleware, or has an error without the Error schema", () => {
    expect(() => describeRoute(route({}))).toThrow(/no access middleware/);
    expect(() => describeRoute(route({ middleware: [authorize("admin")] as const, security: [] }))).toThrow(/disagrees/);
    expect(() => describeRoute(route({ middleware: [requireAdminToken()] as const, responses: { 200: jsonResponse(z.object({}), "ok"), 409: { description: "Conflict" } } }))).toThrow(
      /409 response must use the Error schema/,
    );
    expect(() => describeRoute(route({ security: [], responses: { 200: jsonResponse(z.object({}), "ok"), ...notFoundError } }))).not.toThrow();
  });
});
