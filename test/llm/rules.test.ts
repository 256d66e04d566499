import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { createRule, list, rows, waitFor, waitForRows } from "../rules/helpers";
import { COMPANY_SCHEMA, llmOrg, newId, runToEnd, scriptAnswers } from "./run-helpers";

const tagsOf = (key: string, id: string) => call("GET", `/v1/entities/${id}`, { key }).then((r) => r.json.tags as string[]);

describe("rules on LLM enrichments", () => {
  it("an LLM enrichment of an entity completing publishes llm_enrichment.completed, and a rule matching its fused output acts", async () => {
    const org = await llmOrg();
    const key = org.adminKey;
    const energy = await createRule(key, {
      name: "Energy company (LLM)",
      status: "active",
      events: ["llm_enrichment.completed"],
      conditions: {
        all: [
          { fact: "event.data.entityType", operator: "eq", value: "company" },
          { fact: "event.data.output.sector", operator: "eq", value: "energy" },
        ],
      },
      actions: [{ type: "add_tag", tag: "llm-energy" }, { type: "create_alert", severity: "medium", title: "Energy company" }],
    });
    const health = await createRule(key, {
      name: "Health company (LLM)",
      status: "active",
      events: ["llm_enrichment.completed"],
      conditions: { fact: "event.data.output.sector", operator: "eq", value: "health" },
      actions: [{ type: "add_tag", tag: "llm-health" }],
    });
    const company = await call("POST", "/v1/entities", { key, body: { type: "company", attributes: { name: `Petro ${newId()}` } } });
    expect(company.status).toBe(201);
    const entityId = company.json.id as string;
    // Both models say energy, so the fusion does.
    await scriptAnswers(org.fakeId, { alpha: { sector: "energy" }, beta: { sector: "energy" } });
    const { created, job } = await runToEnd(key, { entities: [entityId], schema: COMPANY_SCHEMA, models: ["fake::alpha", "fake::beta"], strategy: "single_pass" });
    expect(job.status).toBe("completed");

    expect(await waitFor(() => tagsOf(key, entityId), (t) => t.length > 0)).toEqual(["llm-energy"]);
    const [alert] = await waitForRows(key, `/v1/alerts?entityId=${entityId}`);
    expect(alert).toMatchObject({ ruleId: energy.id, entityId, severity: "medium" });
    const evaluations = await waitForRows(key, `/v1/rules/evaluations?entityId=${entityId}`, 2);
    expect(Object.fromEntries(evaluations.map((e) => [e.ruleId, e.matched]))).toEqual({ [energy.id]: true, [health.id]: false });
    expect(await tagsOf(key, entityId)).toEqual(["llm-energy"]);

    // The event as rules stored it: the entity, its type, the job, the records and the fused output.
    const [stored] = await rows("SELECT type, data FROM rule_events WHERE entity_id = ?", entityId);
    expect(stored?.type).toBe("llm_enrichment.completed");
    const data = JSON.parse(String(stored?.data));
    expect(data).toMatchObject({ entityId, entityType: "company", jobId: created.jobId, status: "succeeded", output: { sector: "energy" } });
    expect(data.fusedRecordId).toEqual(expect.any(String));
    expect(data.recordIds).toContain(data.fusedRecordId);
  });

  it("a job-local input (no stored entity) evaluates no rule; a lone model's output is the event's output", async () => {
    const org = await llmOrg();
    const key = org.adminKey;
    await createRule(key, { name: "Any LLM run", status: "active", events: ["llm_enrichment.completed"], conditions: { fact: "event.data.status", operator: "eq", value: "succeeded" }, actions: [{ type: "add_tag", tag: "llm-run" }] });
    const company = await call("POST", "/v1/entities", { key, body: { type: "company", attributes: { name: `Solo ${newId()}` } } });
    await scriptAnswers(org.fakeId, { alpha: { sector: "retail" } });
    const { job } = await runToEnd(key, { entities: [{ legalName: "Free Form Ltd" }, company.json.id], schema: COMPANY_SCHEMA, models: ["fake::alpha"], strategy: "single_pass" });
    expect(job.status).toBe("completed");
    expect(await waitFor(() => tagsOf(key, company.json.id), (t) => t.length > 0)).toEqual(["llm-run"]);
    const events = await rows("SELECT entity_id, data FROM rule_events WHERE org_id = ?", org.orgId);
    expect(events.map((e) => e.entity_id)).toEqual([company.json.id]);
    expect(JSON.parse(String(events[0]?.data))).toMatchObject({ entityType: "company", output: { sector: "retail" }, fusedRecordId: null });
    expect(await list(key, "/v1/alerts")).toEqual([]);
  });
});
