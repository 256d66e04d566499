import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "../constants";

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
