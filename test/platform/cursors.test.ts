import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { detailPaths, expectError, newEntity, operatorHeaders, walkPages } from "../tenancy/support";

/** Cursors are tamper-evident: only one this list issued, unchanged, is accepted (src/platform/http/pagination.ts). */
type Auth = { key?: string; headers?: Record<string, string> };

/** An organization with three rows in every list below, so each pages with limit=1. */
async function orgWithRows() {
  const org = await createOrg();
  const key = org.adminKey;
  const entityIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    entityIds.push((await newEntity(key, { type: "person", attributes: { fullName: `Row ${i}`, phone: `+1 650 253 000${i}` } })).id);
    expect((await call("POST", "/v1/api-keys", { key, body: { name: `k${i}`, role: "viewer" } })).status).toBe(201);
    const group = await call("POST", "/v1/enrichment-groups", { key, body: { slug: `g-${i}`, name: `G${i}`, integrationCodes: ["phone_normalize"] } });
    expect(group.status, group.text).toBe(201);
    const hook = await call("POST", "/v1/webhooks", { key, body: { url: `https://hooks.example.com/${i}`, events: ["job.completed"] } });
    expect(hook.status, hook.text).toBe(201);
  }
  for (let i = 0; i < 3; i++) {
    const grant = await call("POST", `/v1/admin/organizations/${org.orgId}/credits`, { headers: operatorHeaders, body: { amount: 10 + i } });
    expect(grant.status, grant.text).toBe(201);
  }
  const first = entityIds[0] ?? "";
  for (let i = 0; i < 3; i++) expect((await call("POST", `/v1/entities/${first}/enrichments`, { key, body: { integrationCodes: ["phone_normalize"] } })).status).toBe(200);
  return { org, first };
}

const lists = (first: string): [string, string][] => [
  ["entities", "/v1/entities"],
  ["api keys", "/v1/api-keys"],
  ["audit log", "/v1/audit-log"],
  ["enrichment groups", "/v1/enrichment-groups"],
  ["webhooks", "/v1/webhooks"],
  ["an entity's enrichments", `/v1/entities/${first}/enrichments`],
  ["credit transactions", "/v1/credits/transactions"],
];

/** A cursor the list really issued (the first page's, with limit=1). */
async function issued(path: string, auth: Auth): Promise<string> {
  const res = await call("GET", `${path}?limit=1`, auth);
  expect(res.status, res.text).toBe(200);
  expect(typeof res.json.nextCursor, `${path} should have a next page`).toBe("string");
  return res.json.nextCursor;
}

/** Ways a client could make up or alter a cursor. */
function forgeries(cursor: string, otherList: string): [string, string][] {
  const [token = "", mac = ""] = cursor.split(".");
  const flip = (s: string, at: number) => `${s.slice(0, at)}${s[at] === "A" ? "B" : "A"}${s.slice(at + 1)}`;
  const payload = JSON.parse(atob(token.replace(/-/g, "+").replace(/_/g, "/"))) as { k: string; id: string };
  const moved = btoa(JSON.stringify({ ...payload, k: "9999-12-31T00:00:00.000Z" })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return [
    ["the unsigned token alone", token],
    ["the token with another position, old MAC kept", `${moved}.${mac}`],
    ["one character of the token changed", `${flip(token, 3)}.${mac}`],
    ["one character of the MAC changed", `${token}.${flip(mac, 5)}`],
    ["a truncated MAC", `${token}.${mac.slice(0, 20)}`],
    ["another list's cursor", otherList],
    ["garbage", "bm90LWEtY3Vyc29y.bm90LWEtbWFj"],
    ["very long", `${"A".repeat(5000)}.${mac}`],
  ];
}

describe("cursors", () => {
  it("a forged or altered cursor is 400 VALIDATION_ERROR at `cursor` on every list, never a page", async () => {
    const { org, first } = await orgWithRows();
    const auth = { key: org.adminKey };
    const otherList = await issued("/v1/webhooks", auth);
    for (const [name, path] of lists(first)) {
      const cursor = await issued(path, auth);
      for (const [how, forged] of forgeries(cursor, path === "/v1/webhooks" ? await issued("/v1/entities", auth) : otherList)) {
        const res = await call("GET", `${path}?cursor=${encodeURIComponent(forged)}`, auth);
        expectError(res, 400, "VALIDATION_ERROR");
        expect(detailPaths(res), `${name}: ${how}`).toEqual(["cursor"]);
      }
      expect((await call("GET", `${path}?cursor=${encodeURIComponent(cursor)}`, auth)).status).toBe(200);
    }
  });

  it("the operator's organization list and a job's lists refuse forged cursors too", async () => {
    for (let i = 0; i < 2; i++) await createOrg();
    const orgsCursor = await issued("/v1/admin/organizations", { headers: operatorHeaders });
    const [token = ""] = orgsCursor.split(".");
    expect(detailPaths(await call("GET", `/v1/admin/organizations?cursor=${token}`, { headers: operatorHeaders }))).toEqual(["cursor"]);

    const org = await createOrg();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await newEntity(org.adminKey, { type: "person", attributes: { phone: `+1 650 253 010${i}` } })).id);
    const jobIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const job = await call("POST", "/v1/jobs", { key: org.adminKey, body: { entities: ids, integrationCodes: ["phone_normalize"] } });
      expect(job.status, job.text).toBe(202);
      jobIds.push(job.json.jobId);
    }
    const jobsCursor = await issued("/v1/jobs", { key: org.adminKey });
    expect(detailPaths(await call("GET", `/v1/jobs?cursor=${jobsCursor.split(".")[0]}`, { key: org.adminKey }))).toEqual(["cursor"]);

    // Results are keyed by the entity's position in the job: a made-up position is refused like any other forgery,
    // and so is another job's cursor for the same position.
    const [jobA = "", jobB = ""] = jobIds;
    const resultsCursor = await issued(`/v1/jobs/${jobA}/results`, { key: org.adminKey });
    const otherJobs = await issued(`/v1/jobs/${jobB}/results`, { key: org.adminKey });
    for (const forged of ["1", "2", "1.AAAA", `2.${resultsCursor.split(".")[1]}`, otherJobs]) {
      const res = await call("GET", `/v1/jobs/${jobA}/results?limit=1&cursor=${encodeURIComponent(forged)}`, { key: org.adminKey });
      expectError(res, 400, "VALIDATION_ERROR");
      expect(detailPaths(res)).toEqual(["cursor"]);
    }
    expect((await walkPages(org.adminKey, `/v1/jobs/${jobA}/results?limit=1`, {}, "entityId")).flat().sort()).toEqual([...ids].sort());
  });

  it("valid cursors still page every list without duplicates or gaps", async () => {
    const { org, first } = await orgWithRows();
    for (const [name, path] of lists(first)) {
      const all = await call("GET", `${path}?limit=200`, { key: org.adminKey });
      const pages = await walkPages(org.adminKey, `${path}?limit=1`);
      expect(pages.flat(), name).toEqual(all.json.data.map((r: { id: string }) => r.id));
      expect(pages.length).toBeGreaterThanOrEqual(3);
    }
  });

  it("an empty cursor is the first page", async () => {
    const org = await createOrg();
    await newEntity(org.adminKey, { type: "person", attributes: {} });
    const res = await call("GET", "/v1/entities?cursor=", { key: org.adminKey });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(1);
  });
});

