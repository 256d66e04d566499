import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { evaluateRules } from "../../src/features/rules/evaluate";
import { createRule, testConditions } from "./helpers";

/**
 * Every operator, the `any` quantifier, missing facts and the trace, through POST /v1/rules/{id}/test with given
 * facts. These run inside workerd (the workers project), so they also prove that json-rules-engine and RE2JS run
 * there without code generation: the Worker rejects `eval` and `new Function`.
 */
const org = await createOrg();
const key = org.adminKey;

const entity = {
  attributes: { country: "CU", fullName: "Ada Lovelace", email: "ada@mailinator.com", custom: { tier: "gold" } },
  enriched: { emailDisposable: { value: true, source: "email_validate", confidence: 0.9 }, "custom.segment": { value: "smb" } },
  tags: ["vip", "sanctions-review"],
  risk: { score: 40, level: "medium" },
};
const results = {
  sanctions_screen: { success: true, enrichmentData: { topScore: 0.93, hit: true, matches: [{ score: 0.93, programs: ["CUBA"] }, { score: 0.41, programs: ["SDGT", "IRAN"] }] } },
};
const facts = { entity, results, event: { type: "enrichment.completed", data: { jobId: "j-1" } } };

const leaf = (fact: string, operator: string, value?: unknown, quantifier?: "any") => ({ fact, operator, ...(value === undefined ? {} : { value }), ...(quantifier ? { quantifier } : {}) });

describe("operators", () => {
  it.each([
    ["eq", leaf("entity.attributes.country", "eq", "CU"), true, "CU"],
    ["eq (strict: no coercion)", leaf("entity.risk.score", "eq", "40"), false, 40],
    ["ne", leaf("entity.attributes.country", "ne", "GB"), true, "CU"],
    ["ne on a missing fact", leaf("entity.attributes.phone", "ne", "x"), false, null],
    ["gt", leaf("results.sanctions_screen.enrichmentData.topScore", "gt", 0.9), true, 0.93],
    ["gte (equal)", leaf("entity.risk.score", "gte", 40), true, 40],
    ["lt", leaf("entity.risk.score", "lt", 40), false, 40],
    ["lte", leaf("entity.risk.score", "lte", 40), true, 40],
    ["gt on strings (ISO dates)", leaf("event.data.jobId", "gt", "j-0"), true, "j-1"],
    ["gt across types", leaf("entity.attributes.country", "gt", 5), false, "CU"],
    ["in", leaf("entity.attributes.country", "in", ["IR", "KP", "CU"]), true, "CU"],
    ["notIn", leaf("entity.attributes.country", "notIn", ["IR", "KP"]), true, "CU"],
    ["notIn on a missing fact", leaf("entity.attributes.phone", "notIn", ["x"]), false, null],
    ["contains (a list)", leaf("entity.tags", "contains", "vip"), true, ["vip", "sanctions-review"]],
    ["contains (a string)", leaf("entity.attributes.email", "contains", "@mailinator."), true, "ada@mailinator.com"],
    ["exists", leaf("entity.attributes.fullName", "exists"), true, "Ada Lovelace"],
    ["exists: false", leaf("entity.attributes.phone", "exists", false), true, null],
    ["exists on a missing result", leaf("results.email_validate.enrichmentData.disposable", "exists"), false, null],
    ["matches", leaf("entity.attributes.email", "matches", "@(mailinator|yopmail)\\.com$"), true, "ada@mailinator.com"],
    ["matches, case-insensitive", leaf("entity.attributes.fullName", "matches", "(?i)^ada lovelace$"), true, "Ada Lovelace"],
    ["matches a number: no", leaf("entity.risk.score", "matches", "4"), false, 40],
    ["a nested attribute", leaf("entity.attributes.custom.tier", "eq", "gold"), true, "gold"],
    ["an enriched field whose name holds a dot", leaf("entity.enriched.custom.segment.value", "eq", "smb"), true, "smb"],
    ["any: one item matches", leaf("results.sanctions_screen.enrichmentData.matches[].score", "gte", 0.9, "any"), true, [0.93, 0.41]],
    ["any: none matches", leaf("results.sanctions_screen.enrichmentData.matches[].score", "gte", 0.95, "any"), false, [0.93, 0.41]],
    ["any over nested lists", leaf("results.sanctions_screen.enrichmentData.matches[].programs[]", "eq", "IRAN", "any"), true, ["CUBA", "SDGT", "IRAN"]],
    ["any with in", leaf("results.sanctions_screen.enrichmentData.matches[].programs[]", "in", ["IRAN", "DPRK"], "any"), true, ["CUBA", "SDGT", "IRAN"]],
    ["any on a value that is not a list", leaf("entity.attributes.country", "eq", "CU", "any"), false, "CU"],
    ["an index into a list", leaf("results.sanctions_screen.enrichmentData.matches.1.score", "lt", 0.5), true, 0.41],
  ])("%s", async (_name, condition, matched, actual) => {
    const res = await testConditions(key, condition, facts);
    expect(res.matched).toBe(matched);
    expect(res.trace).toEqual({ ...condition, actual, result: matched });
  });

  it("combines all, any and not, and traces every node with its result", async () => {
    const conditions = {
      all: [
        leaf("results.sanctions_screen.enrichmentData.topScore", "gte", 0.9),
        { any: [leaf("entity.attributes.country", "in", ["IR", "KP"]), leaf("entity.tags", "contains", "vip")] },
        { not: leaf("entity.tags", "contains", "sanctions-cleared") },
      ],
    };
    const res = await testConditions(key, conditions, facts);
    expect(res.matched).toBe(true);
    expect(res.trace).toEqual({
      all: [
        { ...conditions.all[0], actual: 0.93, result: true },
        {
          any: [
            { fact: "entity.attributes.country", operator: "in", value: ["IR", "KP"], actual: "CU", result: false },
            { fact: "entity.tags", operator: "contains", value: "vip", actual: ["vip", "sanctions-review"], result: true },
          ],
          result: true,
        },
        { not: { fact: "entity.tags", operator: "contains", value: "sanctions-cleared", actual: ["vip", "sanctions-review"], result: false }, result: true },
      ],
      result: true,
    });

    const failing = await testConditions(key, { all: [conditions.all[0], { not: leaf("entity.tags", "contains", "vip") }] }, facts);
    expect(failing.matched).toBe(false);
    expect(failing.trace.result).toBe(false);
    expect(failing.trace.all[0].result).toBe(true);
    expect(failing.trace.all[1]).toMatchObject({ result: false, not: { result: true } });
  });

  it("a catastrophic pattern runs in linear time (RE2), on a long input", async () => {
    const long = { ...facts, entity: { ...entity, attributes: { note: `${"a".repeat(9_000)}!` } } };
    const started = Date.now();
    const res = await testConditions(key, leaf("entity.attributes.note", "matches", "^(a+)+$"), long);
    expect(res.matched).toBe(false);
    // A backtracking engine takes longer than the universe on this; RE2 is linear. Generous bound for a busy machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.trace.actual).toMatch(/^a{500}…$/);
  });

  it("the test endpoint answers what the rule would do, against an entity as it is now, and stores nothing", async () => {
    const person = await call("POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName: "Test Person", country: "IR" } } });
    const rule = await createRule(key, {
      name: "High-risk country",
      status: "active",
      events: ["entity.created"],
      conditions: leaf("entity.attributes.country", "in", ["IR", "KP", "SY", "CU"]),
      score: 40,
      actions: [{ type: "create_alert", severity: "medium", title: "High-risk country" }, { type: "set_risk" }],
    });
    const res = await call("POST", `/v1/rules/${rule.id}/test`, { key, body: { entityId: person.json.id } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ruleId: rule.id,
      version: 1,
      matched: true,
      trace: { fact: "entity.attributes.country", actual: "IR", result: true },
      actions: [{ type: "create_alert" }, { type: "set_risk" }],
      facts: { entity: { id: person.json.id, type: "person", tags: [], risk: { score: 0, level: "low" } }, results: {} },
    });
    const evaluations = await call("GET", `/v1/rules/evaluations?ruleId=${rule.id}&eventId=test`, { key });
    expect(evaluations.json.data).toEqual([]);
    expect((await call("POST", `/v1/rules/${rule.id}/test`, { key, body: { entityId: crypto.randomUUID() } })).status).toBe(404);
    expect((await call("POST", `/v1/rules/${rule.id}/test`, { key, body: { entityId: person.json.id, version: 9 } })).status).toBe(404);
    const neither = await call("POST", `/v1/rules/${rule.id}/test`, { key, body: {} });
    expect(neither.status).toBe(400);
    expect(neither.json.error.details[0].path).toBe("entityId");
  });

  it("json-rules-engine and RE2JS build no code from strings (Workers forbid eval and new Function)", async () => {
    // workerd in production refuses both; the test runner allows new Function for itself, so trap it here.
    const realFunction = globalThis.Function;
    const realEval = globalThis.eval;
    const attempts: string[] = [];
    const trap = new Proxy(realFunction, {
      construct: (_t, args) => {
        attempts.push(`new Function(${String(args.at(-1)).slice(0, 40)})`);
        throw new EvalError("Code generation from strings disallowed");
      },
      apply: (_t, _this, args) => {
        attempts.push(`Function(${String(args.at(-1)).slice(0, 40)})`);
        throw new EvalError("Code generation from strings disallowed");
      },
    });
    Object.assign(globalThis, { Function: trap, eval: (code: string) => attempts.push(`eval(${code})`) });
    try {
      const conditions = {
        all: [
          leaf("results.sanctions_screen.enrichmentData.matches[].score", "gte", 0.9, "any"),
          { any: [leaf("entity.attributes.email", "matches", "(?i)@(mailinator|yopmail)\\.com$"), leaf("entity.tags", "contains", "x")] },
          { not: leaf("entity.attributes.phone", "exists") },
        ],
      };
      const verdicts = await evaluateRules([{ id: "r", priority: 1, conditions } as never], facts);
      expect(verdicts.get("r")?.matched).toBe(true);
    } finally {
      Object.assign(globalThis, { Function: realFunction, eval: realEval });
    }
    expect(attempts).toEqual([]);
  });
});
