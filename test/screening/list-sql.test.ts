import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sanctionsLists } from "../../src/db/schema/screening";
import { insertStatements, sqlLiteral } from "../../src/features/screening/matching/list-sql";

describe("list SQL for wrangler d1 execute and D1 batches", () => {
  it("writes values as safe SQLite literals", async () => {
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral(3.5)).toBe("3.5");
    expect(sqlLiteral(true)).toBe("1");
    expect(sqlLiteral(["a'b"])).toBe(`'["a''b"]'`);
    const nasty = "O'Neil'); DROP TABLE sanctions_lists; --\u0000\uD800";
    const row = await env.DB.prepare(`SELECT ${sqlLiteral(nasty)} AS v`).first<{ v: string }>();
    expect(row?.v).toBe("O'Neil'); DROP TABLE sanctions_lists; --\uFFFD");
  });

  it("splits rows into statements under the size limit that SQLite runs as written", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: `list-${i}`,
      source: `source ${"é'".repeat(i)}`,
      checksum: "x",
      status: "superseded",
      entries: i,
      names: 0,
      tokens: 0,
      startedAt: "2024-05-03T00:00:00.000Z",
      loadedAt: null,
    }));
    const statements = [...insertStatements(sanctionsLists, rows, 4000)];
    expect(statements.length).toBeGreaterThan(5);
    for (const s of statements) expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(4000);
    await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
    const stored = await env.DB.prepare("SELECT count(*) AS n, sum(entries) AS total FROM sanctions_lists").first<{ n: number; total: number }>();
    expect(stored).toEqual({ n: 200, total: (199 * 200) / 2 });
    const longest = await env.DB.prepare("SELECT source FROM sanctions_lists WHERE id = 'list-199'").first<{ source: string }>();
    expect(longest?.source).toBe(`source ${"é'".repeat(199)}`);
    expect(() => [...insertStatements(sanctionsLists, [{ nope: 1 }])]).toThrow(/no column nope/);
  });
});
