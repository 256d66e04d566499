import { describe, expect, it } from "vitest";
import { type TestOrg, call, createKey, createOrg } from "../helpers/api";
import { auditEntries, expectError } from "./support";

type Sent = Awaited<ReturnType<typeof call>>;

/**
 * Sends `count` requests with a fresh key limited to `limit` a minute. The limit counts per clock
 * minute, so a run that straddles a minute boundary is repeated with another fresh key rather than
 * judged: the assertions then never depend on how fast the machine is.
 */
async function burst(org: TestOrg, limit: number, count: number, send: (key: string) => Promise<Sent>) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const key = await createKey(org.adminKey, "member", { rateLimitPerMinute: limit });
    const minute = Math.floor(Date.now() / 60_000);
    const responses: Sent[] = [];
    for (let i = 0; i < count; i++) responses.push(await send(key.key));
    if (Math.floor(Date.now() / 60_000) === minute) return { key, responses };
  }
  throw new Error("three bursts in a row straddled a minute boundary");
}

describe("per-key rate limiting", () => {
  it("the request after the key's limit is 429 RATE_LIMITED with Retry-After", async () => {
    const org = await createOrg();
    const { responses } = await burst(org, 3, 4, (key) => call("GET", "/v1/entities", { key }));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const limited = responses[3] as Sent;
    const error = expectError(limited, 429, "RATE_LIMITED");
    expect(error.details).toMatchObject({ limit: 3 });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(error.details.retryAfterSeconds).toBe(retryAfter);
  });

  it("a rate-limited request does no work", async () => {
    const org = await createOrg();
    const { key, responses } = await burst(org, 2, 3, (k) =>
      call("POST", "/v1/entities", { key: k, body: { type: "person", attributes: { fullName: "Limited" } } }),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 429]);
    const createdByKey = (await auditEntries(org.adminKey, "action=entity.created")).filter((e) => e.actorKeyId === key.id);
    expect(createdByKey.map((e) => e.targetId).sort()).toEqual(responses.slice(0, 2).map((r) => r.json.id).sort());
  });

  it("limits each key separately: other keys of the organization are unaffected", async () => {
    const org = await createOrg();
    const other = await createKey(org.adminKey, "viewer", { rateLimitPerMinute: 3 });
    const { responses } = await burst(org, 1, 2, (key) => call("GET", "/v1/entities", { key }));
    expect(responses.map((r) => r.status)).toEqual([200, 429]);
    expect((await call("GET", "/v1/entities", { key: other.key })).status).toBe(200);
    expect((await call("GET", "/v1/entities", { key: org.adminKey })).status).toBe(200);
  });

  it("counts refused requests too, so a key below its role cannot probe without limit", async () => {
    const org = await createOrg();
    const { responses } = await burst(org, 2, 3, (key) => call("GET", "/v1/audit-log", { key }));
    expect(responses.map((r) => r.status)).toEqual([403, 403, 429]);
  });

  it("a key without its own limit uses the deployment's RATE_LIMIT_PER_MINUTE", async () => {
    const org = await createOrg();
    const key = await createKey(org.adminKey, "viewer");
    expect(key).toMatchObject({ rateLimitPerMinute: null });
    for (let i = 0; i < 10; i++) expect((await call("GET", "/v1/entities", { key: key.key })).status).toBe(200);
  });
});
