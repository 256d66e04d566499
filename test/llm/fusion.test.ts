import { describe, expect, it } from "vitest";
import { applyArbitration, buildArbitrationRequest } from "../../src/features/llm/arbitration";
import { type FusionInput, fuse } from "../../src/features/llm/fusion";
import { expandLanguages } from "../../src/features/llm/multilingual";
import type { JsonSchema } from "../../src/providers/llm/types";

const schema: JsonSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    revenueUsdM: { type: "number" },
    employees: { type: "integer" },
    listed: { type: "boolean" },
    kind: { type: "string", enum: ["public", "Public", "private"] },
    tags: { type: "array", items: { type: "string" } },
    website: { type: "string", format: "uri" },
    hq: { type: "object", properties: { city: { type: "string" }, country: { type: "string" } } },
  },
};

const rec = (model: string, output: Record<string, unknown>, extra: Partial<FusionInput> = {}): FusionInput => ({ model, recordId: `r-${model}`, output, ...extra });

function fieldOf(records: FusionInput[], path: string, options = {}) {
  const f = fuse(schema, records, options).fields.find((x) => x.path === path);
  if (!f) throw new Error(`no field ${path}`);
  return f;
}

describe("fusion: the research note's test vectors", () => {
  it("strings agree across case and punctuation; the outlier loses; confidence 2/3", () => {
    const f = fieldOf([rec("a::1", { name: "Moderna Inc" }), rec("b::2", { name: "moderna inc." }), rec("c::3", { name: "Pfizer" })], "name");
    expect(f).toMatchObject({ value: "Moderna Inc", status: "agreed", method: "majority", confidence: 0.6667, agreedModels: ["a::1", "b::2"] });
  });

  it("numbers agree within 0.5 %: the lower median of the agreeing cluster", () => {
    const f = fieldOf([rec("a::1", { revenueUsdM: 18000 }), rec("b::2", { revenueUsdM: 18050 }), rec("c::3", { revenueUsdM: 9000 })], "revenueUsdM");
    expect(f).toMatchObject({ value: 18000, status: "agreed", confidence: 0.6667 });
  });

  it("integers are exact unless a tolerance is given for the path", () => {
    const records = [rec("a::1", { employees: 100 }), rec("b::2", { employees: 101 })];
    expect(fieldOf(records, "employees").status).toBe("conflicted");
    expect(fieldOf(records, "employees", { tolerances: { employees: 0.02 } })).toMatchObject({ status: "agreed", value: 100 });
  });

  it("arrays compare as sets", () => {
    const f = fieldOf([rec("a::1", { tags: ["a", "b"] }), rec("b::2", { tags: ["b", "a"] }), rec("c::3", { tags: ["c"] })], "tags");
    expect(f).toMatchObject({ value: ["a", "b"], status: "agreed", fieldType: "array" });
  });

  it("accents and spacing do not split a vote: 3/3", () => {
    const f = fieldOf([rec("a::1", { hq: { city: "Zürich" } }), rec("b::2", { hq: { city: "zurich" } }), rec("c::3", { hq: { city: "Zurich " } })], "hq.city");
    expect(f).toMatchObject({ value: "Zürich", status: "agreed", confidence: 1 });
  });

  it("booleans are exact: true vs false is a conflict", () => {
    expect(fieldOf([rec("a::1", { listed: true }), rec("b::2", { listed: false })], "listed")).toMatchObject({ status: "conflicted", method: "plurality" });
  });

  it("null and 'unknown' abstain: the single voter decides, confidence 1/2", () => {
    const f = fieldOf([rec("a::1", { name: null }), rec("b::2", { name: "X" })], "name");
    expect(f).toMatchObject({ value: "X", status: "agreed", method: "single_source", confidence: 0.5 });
    expect(fieldOf([rec("a::1", { name: "unknown" }), rec("b::2", { name: "X" })], "name").method).toBe("single_source");
  });

  it("single sources can be refused", () => {
    expect(fieldOf([rec("a::1", {}), rec("b::2", { name: "X" })], "name", { allowSingleSource: false }).status).toBe("conflicted");
  });

  it("enums are exact: 'public' and 'Public' do not agree", () => {
    expect(fieldOf([rec("a::1", { kind: "public" }), rec("b::2", { kind: "Public" })], "kind").status).toBe("conflicted");
  });

  it("a 2-vs-2 tie is conflicted and the tie goes to the first model in the order", () => {
    const records = [rec("a::1", { name: "X" }), rec("b::2", { name: "Y" }), rec("c::3", { name: "X" }), rec("d::4", { name: "Y" })];
    expect(fieldOf(records, "name")).toMatchObject({ status: "conflicted", value: "X" });
    expect(fieldOf(records, "name", { modelOrder: ["b::2"] })).toMatchObject({ status: "conflicted", value: "Y" });
  });

  it("nobody knows: no_data, no value in the output", () => {
    const result = fuse(schema, [rec("a::1", {}), rec("b::2", { website: "" })]);
    expect(result.fields.find((f) => f.path === "website")).toMatchObject({ status: "no_data", confidence: 0, value: null });
    expect(result.output).not.toHaveProperty("website");
  });
});

describe("fusion: conflicts", () => {
  it("numbers without a majority get the weighted median", () => {
    const f = fieldOf([rec("a::1", { revenueUsdM: 10 }), rec("b::2", { revenueUsdM: 20 }), rec("c::3", { revenueUsdM: 40 })], "revenueUsdM");
    expect(f).toMatchObject({ status: "conflicted", method: "median", value: 20 });
  });

  it("arrays without a winning set get the items a majority included", () => {
    const f = fieldOf([rec("a::1", { tags: ["a", "b"] }), rec("b::2", { tags: ["a", "c"] }), rec("c::3", { tags: ["a", "b", "d"] })], "tags");
    expect(f).toMatchObject({ status: "conflicted", method: "union", value: ["a", "b"] });
  });

  it("weights decide: a heavier model wins alone", () => {
    const f = fieldOf([rec("a::1", { name: "X" }, { weight: 3 }), rec("b::2", { name: "Y" }), rec("c::3", { name: "Z" })], "name");
    expect(f).toMatchObject({ status: "agreed", value: "X", agreement: 0.6 });
  });

  it("URLs agree by host and path", () => {
    const f = fieldOf([rec("a::1", { website: "https://www.acme.com/" }), rec("b::2", { website: "http://acme.com" })], "website");
    expect(f.status).toBe("agreed");
  });

  it("the provenance lists every model's answer and the report counts fields", () => {
    const result = fuse(schema, [rec("a::1", { name: "X", listed: true }), rec("b::2", { name: "x", listed: false })]);
    expect(result.fields.find((f) => f.path === "name")?.sources).toEqual([
      { model: "a::1", recordId: "r-a::1", value: "X" },
      { model: "b::2", recordId: "r-b::2", value: "x" },
    ]);
    expect(result.report).toMatchObject({ agreedFields: 1, conflictedFields: 1, noDataFields: 7, totalFields: 9 });
    expect(result.report.conflicts).toEqual([
      { path: "listed", fieldType: "scalar", valuesByModel: { "a::1": true, "b::2": false }, needsArbitration: true, translationOnly: false },
    ]);
    expect(result.output).toEqual({ name: "X", listed: true });
  });
});

describe("fusion: determinism", () => {
  const records = [
    rec("openai::gpt-4o", { name: "Acme", revenueUsdM: 10.01, tags: ["x", "y"], listed: true, hq: { city: "Paris" } }),
    rec("anthropic::claude", { name: "ACME ", revenueUsdM: 10, tags: ["y"], listed: false, hq: { city: "Lyon" } }),
    rec("google::gemini", { name: "Globex", revenueUsdM: 50, tags: ["y", "x"], listed: true, hq: { city: "Nice" } }),
    rec("deepseek::chat", { name: "Globex", revenueUsdM: 49.9, tags: ["z"], listed: false, hq: { city: "Paris" } }),
  ];
  const permutations = (xs: FusionInput[]): FusionInput[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

  it("every order of the same records gives the identical fused record", () => {
    const expected = JSON.stringify(fuse(schema, records));
    for (const order of permutations(records)) expect(JSON.stringify(fuse(schema, order))).toBe(expected);
  });
});

describe("arbitration", () => {
  const records = [
    rec("a::1", { name: "Acme", listed: true, revenueUsdM: 10 }),
    rec("b::2", { name: "acme", listed: false, revenueUsdM: 30 }),
    rec("c::3", { name: "ACME", listed: true, revenueUsdM: 50 }),
    rec("d::4", { name: "Acme", listed: false, revenueUsdM: 70 }),
  ];
  const fusion = fuse(schema, records);
  const entity = { name: "Acme Corp" };

  it("asks only about conflicted fields, without model names", () => {
    const req = buildArbitrationRequest(schema, fusion, entity);
    expect(req.data.fields.map((f) => f.path)).toEqual(["revenueUsdM", "listed"]);
    const text = JSON.stringify(req);
    for (const r of records) expect(text).not.toContain(r.model);
    expect(req.labels.listed).toEqual(expect.objectContaining({ A: expect.any(Boolean), B: expect.any(Boolean) }));
    expect(req.outputSchema).toMatchObject({ properties: { decisions: { items: { properties: { path: { enum: ["revenueUsdM", "listed"] } } } } } });
  });

  it("the same inputs give the same prompt, in any record order", () => {
    const again = buildArbitrationRequest(schema, fuse(schema, [...records].reverse()), entity);
    expect(JSON.stringify(again)).toBe(JSON.stringify(buildArbitrationRequest(schema, fusion, entity)));
  });

  it("candidate order is shuffled by a seed from the record ids", () => {
    const orders = new Set(
      Array.from({ length: 12 }, (_, i) => {
        const recs = records.map((r) => ({ ...r, recordId: `${r.recordId}-${i}` }));
        const req = buildArbitrationRequest(schema, fuse(schema, recs), entity);
        return JSON.stringify(req.labels.revenueUsdM);
      }),
    );
    expect(orders.size).toBeGreaterThan(1);
  });

  it("applies decisions to conflicted fields only; ignores the rest", () => {
    const req = buildArbitrationRequest(schema, fusion, entity);
    const falseLabel = Object.entries(req.labels.listed ?? {}).find(([, v]) => v === false)?.[0] ?? "";
    const result = applyArbitration(schema, fusion, req, [
      { path: "listed", choice: falseLabel },
      { path: "name", choice: "A" },
      { path: "revenueUsdM", choice: "none" },
      { path: "listed", choice: "B" },
      { path: "nope", choice: "A" },
    ]);
    expect(result.fields.find((f) => f.path === "listed")).toMatchObject({ value: false, status: "arbitrated", method: "arbitration", confidence: 0.5, agreedModels: ["b::2", "d::4"] });
    expect(result.fields.find((f) => f.path === "name")).toMatchObject({ status: "agreed", value: "Acme" });
    expect(result.fields.find((f) => f.path === "revenueUsdM")).toMatchObject({ status: "arbitrated", value: null, confidence: 0 });
    expect(result.ignored.map((d) => d.path)).toEqual(["name", "listed", "nope"]);
    expect(result.report).toMatchObject({ arbitratedFields: 2, conflictedFields: 0 });
    expect(result.output).toEqual({ name: "Acme", listed: false });
  });
});

describe("multilingual fields", () => {
  const ml = expandLanguages({ type: "object", properties: { summary: { type: "string", multilingual: true, description: "Short summary" } } }, ["en", "fr"]);

  it("expands to one value per language", () => {
    expect(ml.properties).toMatchObject({ summary: { type: "object", required: ["en", "fr"], multilingual: true, properties: { fr: { type: "string" } } } });
  });

  it("translation differences with an agreed primary language count as agreed", () => {
    const result = fuse(ml, [rec("a::1", { summary: { en: "A maker", fr: "Un fabricant" } }), rec("b::2", { summary: { en: "a maker", fr: "Une entreprise" } })]);
    expect(result.fields.find((f) => f.path === "summary.fr")).toMatchObject({ status: "agreed", translationOnly: true, fieldType: "multilingual" });
    expect(result.report.conflicts[0]).toMatchObject({ path: "summary.fr", translationOnly: true, needsArbitration: false });
  });
});
