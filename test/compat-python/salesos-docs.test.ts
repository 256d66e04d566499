import { beforeAll, describe, expect, it } from "vitest";
import { client, docs, docsOrg, runCurl, until } from "./docs-harness";
import { type CurlExample, curlExamples, readDocument } from "./document-examples";

/**
 * SalesOS's own curl examples (../shared/reference/salesos.md), all 13, taken from the document at test time and run
 * with bash against `wrangler dev` in the document's order. Substituted: the host (→ the dev server), `<token>` (→ a
 * Dossier key) and each path's `<string>` id (→ a job or conflict created here: the job's details, a job skipped for
 * its cooldown to retry, one conflict per resolve). The jobs list's query placeholders (`%3Cstring%3E`) are no entity
 * type or status: Dossier answers that example as written with a 400 naming both, and this test says so, then runs it
 * again with `person` / `succeeded` in their place. The document shows no response bodies, only a caption per call;
 * each answer is checked against what its caption names.
 */
const examples = curlExamples(readDocument("salesos"));
const base = "/v1/auto-enrichment";
let key = "";
const ids = { job: "", skippedJob: "", conflicts: [] as string[] };

/** The org's jobs or conflicts through Dossier's own API (setup only). */
const list = async (what: "jobs" | "conflicts", query: string) => (await client.expect(200, "GET", `${base}/${what}?${query}`, { key })).data as { id: string; status: string; skipReason?: string }[];

beforeAll(async () => {
  key = (await docsOrg("SalesOS docs")).key;
  // People get one job each on creation, from http_lookup on the `auto` fake, whose jobTitle differs from theirs: a conflict.
  const scenario = encodeURIComponent(crypto.randomUUID());
  for (const code of ["http_lookup", "http_lookup_alt"]) {
    await client.expect(200, "PUT", `/v1/integrations/${code}`, { key, body: { enabled: true, config: { baseUrl: `${docs.fakeUrl}/auto/${scenario}/` } } });
  }
  await client.expect(200, "PUT", `${base}/config`, {
    key,
    body: { enabled: true, entityTypes: { person: { integrationCodes: ["http_lookup"], fieldMapping: { jobTitle: "title" } } }, triggers: { cooldownHours: 24 } },
  });
  const people: string[] = [];
  for (const fullName of ["Pos Ted", "Put Ted"]) {
    people.push((await client.expect(201, "POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName, title: "CTO" } } })).id);
  }
  ids.conflicts = (await until(() => list("conflicts", "limit=10"), (c) => c.length === 2, "two conflicts")).map((c) => c.id);
  const [job] = await until(() => list("jobs", `entityId=${people[0]}`), (j) => j[0]?.status === "succeeded", "the first person's job");
  ids.job = job?.id ?? "";
  // A second run within the 24 h cooldown is skipped: the job the retry example retries.
  await client.expect(202, "POST", `${base}/jobs`, { key, body: { entityIds: [people[0]] } });
  const jobs = await until(() => list("jobs", `entityId=${people[0]}`), (j) => j.some((x) => x.status === "skipped"), "the skipped job");
  ids.skippedJob = jobs.find((j) => j.status === "skipped")?.id ?? "";
}, 60_000);

/** What each documented call answers: its caption in the document, its status and the shape its caption names. */
const EXPECTED: Record<string, { caption: string; status: number; check: (json: any) => void }> = {
  "GET /config": { caption: "Enrichment configuration", status: 200, check: (j) => expect(j).toMatchObject({ enabled: true, version: 1, entityTypes: { person: { integrationCodes: ["http_lookup"] } } }) },
  "PATCH /config": { caption: "Updated enrichment configuration", status: 200, check: (j) => expect(j).toMatchObject({ enabled: true, version: 2 }) },
  "PUT /config": { caption: "Updated enrichment configuration", status: 200, check: (j) => expect(j).toMatchObject({ enabled: false, version: 3, entityTypes: {} }) },
  "GET /jobs?entityType=&status=": {
    caption: "List of enrichment jobs",
    status: 200,
    check: (j) => expect(j.data.map((x: { id: string }) => x.id)).toContain(ids.job),
  },
  "GET /jobs/{id}": {
    caption: "Enrichment job details",
    status: 200,
    check: (j) => expect(j).toMatchObject({ id: ids.job, entityType: "person", status: "succeeded", results: [{ integrationCode: "http_lookup", status: "succeeded" }] }),
  },
  "GET /conflicts": { caption: "List of conflicts", status: 200, check: (j) => expect(j.data.map((c: { id: string }) => c.id).sort()).toEqual([...ids.conflicts].sort()) },
  "POST /conflicts/{id}/resolve": {
    caption: "Conflict resolved",
    status: 200,
    check: (j) => expect(j).toMatchObject({ conflict: { id: ids.conflicts[0], status: "resolved", resolution: { action: "accept" } }, applied: { field: "title" } }),
  },
  "PUT /conflicts/{id}/resolve": {
    caption: "Conflict resolved",
    status: 200,
    check: (j) => expect(j).toMatchObject({ conflict: { id: ids.conflicts[1], status: "resolved", resolution: { action: "accept" } }, applied: { field: "title" } }),
  },
  "GET /stats": { caption: "Enrichment statistics", status: 200, check: (j) => expect(j).toMatchObject({ pipeline: { status: "active" }, jobs: { byStatus: { succeeded: 2 } }, conflicts: { open: 0 } }) },
  "POST /jobs/{id}/retry": { caption: "Job queued for retry", status: 202, check: (j) => expect(j).toMatchObject({ status: "queued", retryOf: ids.skippedJob }) },
  "POST /pause": { caption: "Pipeline paused", status: 200, check: (j) => expect(j).toMatchObject({ status: "paused", paused: true }) },
  "POST /resume": { caption: "Pipeline resumed", status: 200, check: (j) => expect(j).toMatchObject({ status: "active", paused: false }) },
  "GET /credits": { caption: "Credit usage", status: 200, check: (j) => expect(j).toMatchObject({ groupBy: "integration", data: [{ key: "http_lookup", charges: 2 }] }) },
};

/** `GET /jobs/{id}`-style name of an example: its method and path below /v1/auto-enrichment, ids and query values blanked. */
const nameOf = (e: CurlExample) => {
  const path = e.url.pathname.slice(base.length).replace(/%3Cstring%3E/g, "{id}");
  const query = [...e.url.searchParams.keys()].map((k) => `${k}=`).join("&");
  return `${e.method} ${path}${query ? `?${query}` : ""}`;
};

/** The example with host and token filled in, and `<string>` ids only where `ids` are given (in order). */
function substituted(example: CurlExample, pathIds: string[] = []) {
  let command = example.command.replace(example.url.origin, docs.url).replace("<token>", key);
  for (const id of pathIds) command = command.replace("<string>", id);
  expect(command).not.toContain("<token>");
  return command;
}

describe("SalesOS's documented curl examples, against wrangler dev", () => {
  it("the document has the 13 calls this test knows, each with its caption", () => {
    expect(examples.map(nameOf)).toEqual(Object.keys(EXPECTED));
    expect(examples.map((e) => e.caption)).toEqual(Object.values(EXPECTED).map((x) => x.caption));
  });

  let conflictsResolved = 0;
  for (const example of examples) {
    const name = nameOf(example);
    it(`${name}: ${example.caption}`, async () => {
      const expected = EXPECTED[name];
      if (!expected) throw new Error(`no expectation for ${name}`);
      let pathIds: string[] = [];
      if (name === "GET /jobs/{id}") pathIds = [ids.job];
      if (name === "POST /jobs/{id}/retry") pathIds = [ids.skippedJob];
      if (name.endsWith("/resolve")) pathIds = [ids.conflicts[conflictsResolved++] ?? ""];
      let command = substituted(example, pathIds);
      if (name === "GET /jobs?entityType=&status=") {
        // As written, the placeholders are the query's values: no such entity type or status.
        const asWritten = await runCurl(command);
        expect(asWritten.status).toBe(400);
        expect(asWritten.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["entityType", "status"]);
        command = command.replace("entityType=%3Cstring%3E", "entityType=person").replace("status=%3Cstring%3E", "status=succeeded");
      }
      const res = await runCurl(command);
      expect(res.status, res.text).toBe(expected.status);
      expected.check(res.json);
    });
  }
});
