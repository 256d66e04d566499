import { describe, expect, it } from "vitest";
import { fuse } from "../../src/features/llm/fusion";
import { callFake, companySchema, newId, scriptAnswers } from "./helpers";

const entity = { name: "Initech", domain: "initech.example" };

async function threeModels(spec: string) {
  const runs = [
    ["openai", "gpt-4o-mini"],
    ["openai", "gpt-4.1-mini"],
    ["openai", "gpt-5-nano"],
  ] as const;
  return Promise.all(
    runs.map(async ([provider, model]) => {
      const r = await callFake(provider, spec, entity, { model });
      return { model: `${provider}::${model}`, recordId: `${model}-rec`, output: r.json };
    }),
  );
}

describe("the fake models' personalities feed fusion", () => {
  it("with wrong=0 the models differ only cosmetically, and fusion agrees on every field they answered", async () => {
    const records = await threeModels(`id=${newId()};wrong=0`);
    expect(records[0]?.output).not.toEqual(records[1]?.output);
    const result = fuse(companySchema, records);
    expect(result.report.conflictedFields).toBe(0);
    expect(result.report.agreedFields).toBeGreaterThan(5);
  });

  it("by default each model departs on some fields: some agreed, some conflicted, the same every time", async () => {
    const id = newId();
    const first = fuse(companySchema, await threeModels(`id=${id}`));
    const again = fuse(companySchema, await threeModels(`id=${id}`));
    expect(first.report.agreedFields).toBeGreaterThan(0);
    expect(first.report.conflictedFields + first.fields.filter((f) => f.status === "agreed" && f.agreement < 1).length).toBeGreaterThan(0);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  it("a script decides given fields per model (or for all with *), and can fail one model", async () => {
    const id = newId();
    await scriptAnswers(id, {
      "*": { founded: 1999, "hq.city": "Austin" },
      "gpt-4o-mini": { legalName: "Initech LLC" },
      "gpt-4.1-mini": { legalName: "Initech LLC" },
      "gpt-5-nano": { legalName: "Initrode", $fail: "refuse" },
    });
    const [a, b] = await Promise.all([
      callFake("openai", `id=${id}`, entity, { model: "gpt-4o-mini" }),
      callFake("openai", `id=${id}`, entity, { model: "gpt-4.1-mini" }),
    ]);
    expect(a.json).toMatchObject({ founded: 1999, legalName: "Initech LLC", hq: { city: "Austin" } });
    expect(b.json).toMatchObject({ founded: 1999, legalName: "Initech LLC" });
    await expect(callFake("openai", `id=${id}`, entity, { model: "gpt-5-nano" })).rejects.toMatchObject({ code: "LLM_REFUSED" });
  });
});
