import { beforeAll, describe, expect, it } from "vitest";
import { SCHEMA_BODY } from "../compat/enricher-schema";
import { client, docs, docsOrg, runProgram } from "./docs-harness";
import { curlBatch, pythonWorkflow } from "./document-examples";

/**
 * Entity Enricher's own examples (its document's Python workflow and curl batch), taken from the document at test
 * time and run against `wrangler dev`, with only the instance URL, the API key (and the curl example's schema id
 * placeholder) filled in. The document's model keys reach the fake LLM servers through the operator's base URLs.
 */
const PYTHON = "/usr/bin/python3";
let key = "";

beforeAll(async () => {
  key = (await docsOrg("Entity Enricher docs", { billingMode: "prepaid", initialCredits: 10_000 })).key;
  // What the fake models answer for the company's legal name: seen in the printed structured_output.
  const scripted = await fetch(`${docs.fakeUrl}/fake-llm/script`, { method: "POST", body: JSON.stringify({ id: docs.llmScenario, answers: { "*": { legalName: "Moderna, Inc." } } }) });
  expect(scripted.status).toBe(204);
});

describe("Entity Enricher's documented examples, unchanged, against wrangler dev", () => {
  let schemaId = "";

  it("the Python workflow lists schemas, enriches, streams until completed and prints the record's structured_output", async () => {
    schemaId = (await client.expect(200, "POST", "/api/schema/saved", { headers: { "x-api-key": key }, body: SCHEMA_BODY })).id;
    const code = pythonWorkflow()
      .replace('BASE = "https://your-instance.example.com"', `BASE = ${JSON.stringify(docs.url)}`)
      .replace('KEY = "ent_your_api_key"', `KEY = ${JSON.stringify(key)}`);
    const python = await runProgram(PYTHON, ["-"], code, {});
    expect(python.stderr).toBe("");
    expect(python.code).toBe(0);
    const printed = JSON.parse(python.stdout);
    expect(printed.legalName).toBe("Moderna, Inc.");
    const records = await client.expect(200, "GET", "/api/records?type=enrichment", { headers: { "x-api-key": key } });
    expect(records.records).toHaveLength(1);
    expect(records.records[0]).toMatchObject({ model: "anthropic::claude-sonnet-4-5-20250929", schema_id: schemaId, strategy: "multi_expertise", success: true });
    expect(printed).toEqual(records.records[0].structured_output);
  });

  it("the curl batch example starts two entities on two models with an arbiter, streams the events and lists the records", async () => {
    const script = curlBatch().replace('"schema_id": "your-schema-uuid"', `"schema_id": "${schemaId}"`);
    const bash = await runProgram("bash", ["-euo", "pipefail"], script, { BASE: docs.url, KEY: key });
    // The stream's `curl -N` (no -s) draws its progress meter on stderr; a failed transfer would say `curl: (N)`.
    expect(bash.stderr).not.toMatch(/curl: \(\d+\)/);
    expect(bash.code).toBe(0);
    const lines = bash.stdout.split("\n");
    const events = lines.filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    for (const e of events) expect(e.event).toBe(e.type);
    expect(events.at(-1)?.type).toBe("completed");
    const at = (type: string) => events.filter((e) => e.type === type).map((e) => e.entity_index).sort();
    expect(at("entity_started")).toEqual([0, 1]);
    expect(at("entity_completed")).toEqual([0, 1]);
    expect(at("fusion_completed")).toEqual([0, 1]);
    const jobId = events[0]?.job_id;
    const listed = JSON.parse(lines.slice(lines.findIndex((l) => l.startsWith("["))).join("\n"));
    const batch = listed.filter((r: { job_id: string }) => r.job_id === jobId);
    expect(batch).toHaveLength(4);
    expect(new Set(batch.map((r: { model: string }) => r.model))).toEqual(new Set(["anthropic::claude-sonnet-4-5-20250929", "openai::gpt-4o"]));
    for (const r of batch) expect(r).toMatchObject({ type: "enrichment", success: true, structured_output: { legalName: "Moderna, Inc." } });
  });
});
