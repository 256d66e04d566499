import { describe, expect, it } from "vitest";
import { chooseStrategy, mergeDomainOutputs, splitByExpertise } from "../../src/features/llm/expertise-split";
import { validateExpertiseDomains, validateUserSchema } from "../../src/features/llm/schema-subset";
import type { JsonSchema } from "../../src/providers/llm/types";

const domains = { finance: { name: "Finance" }, history: { name: "History", description: "Founding and milestones" } };

const good: JsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  title: "Company",
  properties: {
    name: { type: "string", identifying: true, description: "Legal name" },
    domain: { type: "string", format: "hostname", identifying: true },
    founded: { type: "integer", minimum: 1800, maximum: 2100, expertise: "history" },
    revenue: { type: ["number", "null"], expertise: "finance" },
    summary: { type: "string", multilingual: true, maxLength: 500 },
    status: { type: "string", enum: ["active", "dissolved"], default: "active" },
    tags: { type: "array", items: { type: "string" }, minItems: 0, maxItems: 10 },
    address: {
      type: "object",
      expertise: "history",
      properties: { city: { type: "string" }, zip: { type: "string", pattern: "^[0-9]{5}$" } },
      required: ["city"],
      additionalProperties: false,
    },
  },
  required: ["name"],
};

const issuesOf = (schema: unknown) => validateUserSchema(schema, domains);

describe("user schema subset", () => {
  it("accepts the subset", () => {
    expect(issuesOf(good)).toEqual([]);
  });

  it.each([
    [{ ...good, type: "array" }, "jsonSchema.type", "invalid_type"],
    [{ type: "object", properties: { a: { type: "date" } } }, "jsonSchema.properties.a.type", "invalid_type"],
    [{ type: "object", properties: { a: { type: "string", oneOf: [] } } }, "jsonSchema.properties.a.oneOf", "unsupported_keyword"],
    [{ type: "object", properties: { a: { type: "string", $ref: "#/x" } } }, "jsonSchema.properties.a.$ref", "unsupported_keyword"],
    [{ type: "object", properties: { a: { type: "number", format: "date" } } }, "jsonSchema.properties.a.format", "unsupported_keyword"],
    [{ type: "object", properties: { a: { type: "string", format: "phone" } } }, "jsonSchema.properties.a.format", "invalid_format"],
    [{ type: "object", properties: { a: { type: "string", enum: ["x", 1] } } }, "jsonSchema.properties.a.enum", "invalid_type"],
    [{ type: "object", properties: { a: { type: "string", minLength: 5, maxLength: 2 } } }, "jsonSchema.properties.a.minLength", "invalid_range"],
    [{ type: "object", properties: { a: { type: "string", pattern: "(a+)+$" } } }, "jsonSchema.properties.a.pattern", "invalid_pattern"],
    [{ type: "object", properties: { a: { type: "string", pattern: "([" } } }, "jsonSchema.properties.a.pattern", "invalid_pattern"],
    [{ type: "object", properties: { a: { type: "array" } } }, "jsonSchema.properties.a.items", "required"],
    [{ type: "object", properties: { a: { type: "string" } }, required: ["b"] }, "jsonSchema.required.0", "invalid_required"],
    [{ type: "object", properties: { a: { type: "string" } }, additionalProperties: true }, "jsonSchema.additionalProperties", "unsupported_keyword"],
    [{ type: "object", properties: {} }, "jsonSchema.properties", "required"],
    [{ type: "object", properties: { "bad-name": { type: "string" } } }, "jsonSchema.properties.bad-name", "invalid_key"],
    [{ type: "object", properties: { a: { type: "string", expertise: "legal" } } }, "jsonSchema.properties.a.expertise", "unknown_expertise"],
    [{ type: "object", properties: { a: { type: "integer", multilingual: true } } }, "jsonSchema.properties.a.multilingual", "invalid_annotation"],
    [{ type: "object", properties: { a: { type: "string", identifying: "yes" } } }, "jsonSchema.properties.a.identifying", "invalid_type"],
    [{ type: "object", properties: { a: { type: "array", items: { type: "string", identifying: true } } } }, "jsonSchema.properties.a.items.identifying", "unsupported_keyword"],
    [{ type: "object", expertise: "finance", properties: { a: { type: "string" } } }, "jsonSchema.expertise", "unsupported_keyword"],
    [{ type: "object", properties: { a: { type: "object", properties: { b: { type: ["object", "null"], properties: {} } } } } }, "jsonSchema.properties.a.properties.b.type", "invalid_type"],
    [{ type: "object", properties: { a: { type: "boolean", default: "yes" } } }, "jsonSchema.properties.a.default", "invalid_type"],
    ["not a schema", "jsonSchema", "invalid_type"],
  ])("refuses %j at %s", (schema, path, code) => {
    expect(issuesOf(schema)).toContainEqual(expect.objectContaining({ path, code }));
  });

  it("names the deepest path: jsonSchema.properties.address.properties.zip.type", () => {
    const schema = { type: "object", properties: { address: { type: "object", properties: { zip: { type: "zipcode" } } } } };
    expect(issuesOf(schema)).toEqual([{ path: "jsonSchema.properties.address.properties.zip.type", message: expect.any(String), code: "invalid_type" }]);
  });

  function nested(levels: number): JsonSchema {
    let node: JsonSchema = { type: "object", properties: { leaf: { type: "string" } } };
    for (let i = 1; i < levels; i++) node = { type: "object", properties: { child: node } };
    return node;
  }

  it("allows 5 levels of objects, refuses 6", () => {
    expect(issuesOf(nested(5))).toEqual([]);
    expect(issuesOf(nested(6))).toContainEqual(expect.objectContaining({ code: "too_deep", path: "jsonSchema.properties.child.properties.child.properties.child.properties.child.properties.child" }));
  });

  it("survives absurd nesting without recursion (100,000 levels)", () => {
    expect(issuesOf(nested(100_000)).map((i) => i.code)).toEqual(["too_deep"]);
  });

  it("allows 200 properties in total, refuses 201", () => {
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: "string" }]));
    expect(issuesOf({ type: "object", properties: { ...props(190), nested: { type: "object", properties: props(9) } } })).toEqual([]);
    expect(issuesOf({ type: "object", properties: { ...props(191), nested: { type: "object", properties: props(9) } } })).toContainEqual(
      expect.objectContaining({ code: "too_big", path: "jsonSchema.properties.nested.properties" }),
    );
  });

  it("caps the number of issues reported", () => {
    const props = Object.fromEntries(Array.from({ length: 180 }, (_, i) => [`p${i}`, { type: "nope" }]));
    expect(issuesOf({ type: "object", properties: props })).toHaveLength(100);
  });

  it("checks expertiseDomains", () => {
    expect(validateExpertiseDomains(domains)).toEqual([]);
    expect(validateExpertiseDomains({ Finance: { name: "F" }, legal: {} })).toEqual([
      expect.objectContaining({ path: "expertiseDomains.Finance", code: "invalid_key" }),
      expect.objectContaining({ path: "expertiseDomains.legal.name", code: "invalid_type" }),
    ]);
  });
});

describe("expertise split", () => {
  const parts = splitByExpertise(good, domains);

  it("one part per domain with fields, then general; identifying fields in every part", () => {
    expect(parts.map((p) => p.key)).toEqual(["finance", "history", "general"]);
    const finance = parts[0];
    expect(Object.keys(finance?.jsonSchema.properties as object)).toEqual(["name", "domain", "revenue"]);
    expect(finance?.jsonSchema.required).toEqual(["name"]);
    expect(finance?.owns).toEqual(["revenue"]);
    expect(parts[1]?.owns).toEqual(["founded", "address.city", "address.zip"]);
    expect((parts[1]?.jsonSchema.properties as Record<string, JsonSchema>).address?.required).toEqual(["city"]);
    expect(parts[2]?.owns).toEqual(["name", "domain", "summary", "status", "tags"]);
  });

  it("merges a model's domain answers, each field from the domain that owns it; a failed domain leaves its fields out", () => {
    const merged = mergeDomainOutputs(parts, {
      finance: { name: "Wrong name from finance", revenue: 12 },
      history: { name: "x", founded: 1990, address: { city: "Oslo" } },
    });
    expect(merged).toEqual({ revenue: 12, founded: 1990, address: { city: "Oslo" } });
  });

  it("auto picks single_pass for small schemas and says why", () => {
    expect(chooseStrategy("auto", good, domains)).toMatchObject({ strategy: "single_pass", signals: { domains: 3, leafFields: 9 }, reason: expect.stringContaining("9 fields") });
  });

  it("auto picks multi_expertise for many fields over several domains", () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, { type: "string", expertise: i % 2 ? "finance" : "history" }]));
    expect(chooseStrategy("auto", { type: "object", properties: many }, domains)).toMatchObject({ strategy: "multi_expertise", signals: { domains: 2, leafFields: 30 } });
  });

  it("multi_expertise with one domain falls back to single_pass, with the reason", () => {
    const one = { type: "object", properties: { a: { type: "string" } } };
    expect(chooseStrategy("multi_expertise", one, domains)).toMatchObject({ requested: "multi_expertise", strategy: "single_pass", reason: expect.stringContaining("1 expertise domain") });
  });
});
