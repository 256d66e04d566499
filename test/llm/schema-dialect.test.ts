import { describe, expect, it } from "vitest";
import { describeSchemaForPrompt, plainSchema, toAnthropicOutput, toAnthropicTool, toGemini, toOpenAiStrict } from "../../src/providers/llm/schema-dialect";
import type { JsonSchema } from "../../src/providers/llm/types";

const user: JsonSchema = {
  type: "object",
  properties: {
    name: { type: "string", identifying: true, minLength: 2, description: "Legal name" },
    website: { type: "string", format: "uri", expertise: "web" },
    founded: { type: "string", format: "date" },
    employees: { type: ["integer", "null"], minimum: 0 },
    kind: { type: "string", enum: ["public", "private"], default: "private" },
    tags: { type: "array", items: { type: "string", maxLength: 30 }, minItems: 2, maxItems: 5 },
    hq: { type: "object", properties: { city: { type: "string", multilingual: true }, zip: { type: "string" } }, required: ["city"] },
  },
  required: ["name"],
};

type Node = Record<string, unknown>;

/** Every schema node of a dialect output (iteratively). */
function nodes(schema: Node): Node[] {
  const out: Node[] = [];
  const stack = [schema];
  while (stack.length) {
    const n = stack.pop() as Node;
    out.push(n);
    for (const child of Object.values((n.properties as Record<string, Node>) ?? {})) stack.push(child);
    if (n.items) stack.push(n.items as Node);
  }
  return out;
}

const prop = (s: JsonSchema, ...path: string[]) => path.reduce((n: Node, k) => (n.properties as Record<string, Node>)[k] as Node, s);

describe.each([
  ["openai strict", toOpenAiStrict],
  ["anthropic output", toAnthropicOutput],
  ["anthropic tool", toAnthropicTool],
  ["gemini", toGemini],
  ["plain", plainSchema],
])("%s", (_name, convert) => {
  const out = convert(user);

  it("drops Dossier's annotations everywhere", () => {
    for (const n of nodes(out)) for (const k of ["expertise", "identifying", "multilingual"]) expect(n).not.toHaveProperty(k);
  });

  it("leaves the input unchanged", () => {
    expect(prop(user, "name").identifying).toBe(true);
    expect(user.additionalProperties).toBeUndefined();
  });
});

describe("OpenAI strict", () => {
  const out = toOpenAiStrict(user);

  it("closes every object and requires every property", () => {
    for (const n of nodes(out).filter((n) => n.type === "object" || (Array.isArray(n.type) && n.type.includes("object")))) {
      expect(n.additionalProperties).toBe(false);
      expect(n.required).toEqual(Object.keys(n.properties as object));
    }
  });

  it("makes optional properties nullable, enums included; required ones stay as they are", () => {
    expect(prop(out, "name").type).toBe("string");
    expect(prop(out, "website").type).toEqual(["string", "null"]);
    expect(prop(out, "employees").type).toEqual(["integer", "null"]);
    expect(prop(out, "kind")).toMatchObject({ type: ["string", "null"], enum: ["public", "private", null] });
    expect(prop(out, "hq").type).toEqual(["object", "null"]);
    expect(prop(out, "hq", "city").type).toBe("string");
    expect(prop(out, "hq", "zip").type).toEqual(["string", "null"]);
  });

  it("keeps supported formats and constraints; moves the others into the description", () => {
    expect(prop(out, "founded").format).toBe("date");
    expect(prop(out, "website")).not.toHaveProperty("format");
    expect(prop(out, "website").description).toContain('format: "uri"');
    expect(prop(out, "name")).not.toHaveProperty("minLength");
    expect(prop(out, "name").description).toBe("Legal name (minLength: 2)");
    expect(prop(out, "kind")).not.toHaveProperty("default");
    expect(prop(out, "tags")).toMatchObject({ minItems: 2, maxItems: 5 });
    expect(prop(out, "employees").minimum).toBe(0);
  });
});

describe("Anthropic structured outputs", () => {
  const out = toAnthropicOutput(user);

  it("closes objects but keeps optional properties optional", () => {
    expect(out.additionalProperties).toBe(false);
    expect(out.required).toEqual(["name"]);
    expect(prop(out, "hq").additionalProperties).toBe(false);
  });

  it("describes numeric and length constraints and minItems above 1", () => {
    expect(prop(out, "employees")).not.toHaveProperty("minimum");
    expect(prop(out, "employees").description).toContain("minimum: 0");
    expect(prop(out, "tags")).not.toHaveProperty("minItems");
    expect(prop(out, "tags").description).toContain("minItems: 2");
    expect(prop(out, "website").format).toBe("uri");
  });

  it("the tool dialect keeps every constraint (tool input is validated by Dossier)", () => {
    const tool = toAnthropicTool(user);
    expect(prop(tool, "name").minLength).toBe(2);
    expect(tool.additionalProperties).toBeUndefined();
  });
});

describe("Gemini responseJsonSchema", () => {
  const out = toGemini(user);

  it("orders properties as written", () => {
    expect(out.propertyOrdering).toEqual(["name", "website", "founded", "employees", "kind", "tags", "hq"]);
    expect(prop(out, "hq").propertyOrdering).toEqual(["city", "zip"]);
  });

  it("keeps its keywords, describes string lengths and defaults", () => {
    expect(prop(out, "website").format).toBe("uri");
    expect(prop(out, "tags")).toMatchObject({ minItems: 2, maxItems: 5 });
    expect(prop(out, "name").description).toContain("minLength: 2");
    expect(prop(out, "kind").description).toContain('default: "private"');
  });
});

describe("JSON mode prompt", () => {
  it("holds the word json and the plain schema", () => {
    const text = describeSchemaForPrompt(user);
    expect(text).toMatch(/json/i);
    const block = /```json\n([\s\S]*)\n```/.exec(text)?.[1] ?? "";
    expect(JSON.parse(block)).toEqual(plainSchema(user));
  });
});
