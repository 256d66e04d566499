import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ColumnTarget, builtInColumns, normalizeHeader } from "../../src/features/jobs/csv/columns";

/** The README's table of CSV header spellings, row by row: the headers it lists and what each type reads them as. */
function readmeTable() {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const start = readme.indexOf("| headers (any spelling) | person rows | company rows |");
  expect(start).toBeGreaterThan(0);
  const lines = readme.slice(start).split("\n").slice(2);
  const rows = lines.slice(0, lines.findIndex((l) => !l.startsWith("|")));
  const cell = (text: string) => (text.trim() === "—" ? undefined : /`([^`]+)`/.exec(text)?.[1]);
  return rows.map((row) => {
    const [, headers = "", person = "", company = ""] = row.split("|");
    return { headers: headers.replace(/\(.*\)/, "").split(",").map((h) => h.trim()).filter(Boolean), person: cell(person), company: cell(company) };
  });
}

const shown = (target: ColumnTarget | undefined) =>
  target === undefined ? null : target.kind === "attribute" ? { person: target.person, company: target.company } : { person: target.kind, company: target.kind };

describe("README's CSV header table", () => {
  it("lists exactly the built-in spellings, each read as the code reads it", () => {
    const table = readmeTable();
    const listed = new Set<string>();
    for (const row of table) {
      for (const header of row.headers) {
        listed.add(normalizeHeader(header));
        expect(shown(builtInColumns().get(normalizeHeader(header))), header).toEqual({ person: row.person, company: row.company });
      }
    }
    expect([...builtInColumns().keys()].filter((k) => !listed.has(k))).toEqual([]);
  });
});
