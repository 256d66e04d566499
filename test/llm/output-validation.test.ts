import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { conformOutput, parseModelJson, repairTurns, validateOutput } from "../../src/providers/llm/output-validation";
import type { JsonSchema } from "../../src/providers/llm/types";

const schema: JsonSchema = {
  type: "object",
  properties: {
    name: { type: "string", identifying: true },
    revenue: { type: "number", expertise: "finance" },
    listed: { type: "boolean" },
    email: { type: "string", format: "email" },
    founded: { type: "string", format: "date" },
    note: { type: ["string", "null"] },
    hq: { type: "object", properties: { city: { type: "string" }, zip: { type: "string", pattern: "^[0-9]{5}$" } }, required: ["city"] },
    tags: { type: "array", items: { type: "string" }, maxItems: 2 },
  },
  required: ["name"],
  additionalProperties: false,
};

describe("@cfworker/json-schema inside workerd", () => {
  it("runs (no eval / new Function) and reports every failure with its location", () => {
    const v = new Validator(schema, "2020-12", false);
    expect(v.validate({ name: "Acme" }).valid).toBe(true);
    const result = v.validate({ name: 1, email: "nope", founded: "2020-13-45", hq: { zip: "abc" }, tags: ["a", "b", "c"] });
    expect(result.valid).toBe(false);
    const locations = result.errors.map((e) => e.instanceLocation);
    for (const l of ["#/name", "#/email", "#/founded", "#/hq", "#/hq/zip", "#/tags"]) expect(locations).toContain(l);
  });
});

describe("validateOutput", () => {
  it("lists the innermost failures by JSON pointer, once each", () => {
    const errors = validateOutput({ name: 1, extra: true, hq: { zip: "abc" } }, schema);
    expect(errors.map((e) => e.instancePath).sort()).toEqual(["", "/hq", "/hq/zip", "/name"]);
    expect(errors.find((e) => e.instancePath === "/hq")?.message).toMatch(/required property "city"/);
    expect(errors.find((e) => e.instancePath === "")?.message).toMatch(/"extra"/);
  });

  it("passes a valid output (annotations in the schema are ignored)", () => {
    expect(validateOutput({ name: "Acme", revenue: 3.5, hq: { city: "Oslo" }, note: null }, schema)).toEqual([]);
  });
});

describe("conformOutput (strict-mode nulls and loose types back to the user's schema)", () => {
  it("drops nulls of optional non-nullable properties, keeps nulls the schema allows", () => {
    const out = conformOutput({ name: "Acme", revenue: null, listed: null, note: null, hq: { city: "Oslo", zip: null } }, schema);
    expect(out).toEqual({ name: "Acme", note: null, hq: { city: "Oslo" } });
    expect(validateOutput(out, schema)).toEqual([]);
  });

  it("keeps a null of a required property (so validation reports it)", () => {
    expect(conformOutput({ name: null }, schema)).toEqual({ name: null });
  });

  it("drops unknown properties and reads plain numeric strings and booleans", () => {
    expect(conformOutput({ name: "Acme", extra: 1, revenue: " 18000.5 ", listed: "true" }, schema)).toEqual({ name: "Acme", revenue: 18000.5, listed: true });
    expect(conformOutput({ name: "Acme", revenue: "about 3" }, schema)).toEqual({ name: "Acme", revenue: "about 3" });
  });
});

describe("parseModelJson", () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['  \n\n {"a":1}', { a: 1 }],
    ['```json\n{"a":1}\n```', { a: 1 }],
    ['Sure! Here it is: {"a":{"b":2}} Hope that helps.', { a: { b: 2 } }],
  ])("reads %j", (text, expected) => {
    expect(parseModelJson(text)).toEqual(expected);
  });

  it.each(["", "   ", "[1,2]", "{not json", "null"])("refuses %j", (text) => {
    expect(parseModelJson(text)).toBeUndefined();
  });
});

describe("repairTurns", () => {
  it("replays the answer and lists what was wrong", () => {
    const turns = repairTurns('{"name":1}', [{ instancePath: "/name", message: "Instance type number is invalid. Expected string." }]);
    expect(turns).toEqual([
      { role: "assistant", content: '{"name":1}' },
      { role: "user", content: expect.stringContaining("- /name: Instance type number is invalid") },
    ]);
  });
});
