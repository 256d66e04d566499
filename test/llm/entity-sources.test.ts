import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { createSafeFetch } from "../../src/platform/lib/outbound-fetch";

const source = (path: string) => `${env.FAKE_PROVIDER_URL}/entity-source/${path}`;

describe("entities from a URL", () => {
  it("reads a JSON array, an array inside an object, and a CSV", async () => {
    const org = await createOrg();
    const fetchFrom = (body: Record<string, unknown>) => call("POST", "/v1/entity-sources/fetch", { key: org.adminKey, body });
    const json = await fetchFrom({ url: source("json?n=3") });
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ total: 3, entities: [{ name: "Company 0", country: "DE", founded: 1990 }, { name: "Company 1" }, { name: "Company 2" }] });
    expect(json.json.fetchTimeMs).toBeGreaterThanOrEqual(0);
    expect((await fetchFrom({ url: source("wrapped"), dataPath: "data.items" })).json.total).toBe(2);
    const csv = await fetchFrom({ url: source("csv") });
    expect(csv.json).toEqual({ total: 2, entities: [{ name: "Acme", country: "US", founded: "1999" }, { name: "Globex", founded: "2001" }], fetchTimeMs: expect.any(Number) });
  });

  it("sends bearer, API key and basic credentials for that request only", async () => {
    const org = await createOrg();
    const fetchFrom = (path: string, auth?: Record<string, unknown>) => call("POST", "/v1/entity-sources/fetch", { key: org.adminKey, body: { url: source(path), ...(auth ? { auth } : {}) } });
    expect((await fetchFrom("auth/bearer")).status).toBe(422);
    expect((await fetchFrom("auth/bearer", { type: "bearer", token: "s3cret-token" })).json.total).toBe(1);
    expect((await fetchFrom("auth/key", { type: "api_key", header: "X-Export-Key", value: "k3y" })).json.total).toBe(1);
    expect((await fetchFrom("auth/basic", { type: "basic", username: "ada", password: "pw-123" })).json.total).toBe(1);
    const refused = await fetchFrom("auth/key", { type: "api_key", header: "Host", value: "evil" });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details[0].path).toBe("auth.header");
    const audit = await call("GET", "/v1/audit-log", { key: org.adminKey });
    expect(audit.text).not.toContain("s3cret-token");
  });

  it("refuses private addresses before fetching, and redirects to them", async () => {
    const org = await createOrg();
    // The guard runs before any request: these addresses are never contacted.
    for (const url of ["http://10.1.2.3/export.json", "http://169.254.169.254/latest", "http://[fd00::1]/x", "ftp://example.com/x"]) {
      const res = await call("POST", "/v1/entity-sources/fetch", { key: org.adminKey, body: { url } });
      expect(res.status, url).toBe(400);
      expect(res.json.error.details[0].path, url).toBe("url");
    }
    const redirected = await call("POST", "/v1/entity-sources/fetch", { key: org.adminKey, body: { url: source("redirect") } });
    expect(redirected.status).toBe(422);
    expect(redirected.json.error.message).toContain("redirect was refused");
    // The same guard, called directly, on the redirect's target.
    await expect(createSafeFetch({ allowLoopback: true })("http://10.0.0.1/export.json")).rejects.toThrow(/not allowed/);
  });

  it("caps the size and the count, and wants a list of objects", async () => {
    const org = await createOrg();
    const fetchFrom = (path: string) => call("POST", "/v1/entity-sources/fetch", { key: org.adminKey, body: { url: source(path) } });
    const big = await fetchFrom("big");
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("PAYLOAD_TOO_LARGE");
    const many = await fetchFrom("many");
    expect(many.status).toBe(422);
    expect(many.json.error.message).toContain("1001");
    expect((await fetchFrom("object")).status).toBe(422);
    expect((await fetchFrom("missing")).json.error.details).toEqual({ status: 404 });
  });
});
