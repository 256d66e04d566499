import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SANCTIONS_UPLOAD_BYTES } from "../../src/features/screening/list";
import { call } from "../helpers/api";
import { admin, importSdnCsv, realSdnCsv, sdnRow } from "./helpers";

const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n;
const lists = async (table: string) =>
  (await env.DB.prepare(`SELECT DISTINCT list_id AS id FROM ${table}`).all<{ id: string }>()).results.map((r) => r.id);

const upload = (body: string, headers: Record<string, string> = { ...admin, "content-type": "text/csv" }) =>
  call("POST", "/v1/admin/sanctions/import", { headers, rawBody: body });

describe("sanctions list import", () => {
  it("loads the full real list through the admin upload, then a newer list replaces it", async () => {
    const csv = await realSdnCsv();
    const first = await importSdnCsv(csv, "ofac-sdn-2024-05-03.csv");
    expect(first).toMatchObject({ entries: 14965, skippedRows: 1, source: "ofac-sdn-2024-05-03.csv" });
    expect(first.names).toBeGreaterThan(18000);
    expect(await count("sanctions_entries")).toBe(14965);
    expect(await count("sanctions_names")).toBe(first.names);
    expect(await count("sanctions_name_tokens")).toBe(first.tokens);
    expect(await count("sanctions_token_variants")).toBe(first.typoVariants);

    const status = await call("GET", "/v1/admin/sanctions/status", { headers: admin });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ loaded: true, entries: 14965, names: first.names, source: "ofac-sdn-2024-05-03.csv" });
    expect(status.json.loadedAt).toEqual(expect.any(String));

    // A "newer" list: Maduro delisted, one new entry.
    const newer = `${csv
      .split("\r\n")
      .filter((line) => !line.startsWith("22790,"))
      .join("\r\n")}\r\n${sdnRow(99999001, "NEWLY LISTED TRADING FZE", null, "SDGT", "a.k.a. 'NLT'.")}\r\n`;
    const second = await importSdnCsv(newer, "newer.csv");
    expect(second.entries).toBe(14965);
    expect(second.listId).not.toBe(first.listId);
    for (const table of ["sanctions_entries", "sanctions_names", "sanctions_name_tokens", "sanctions_token_variants"]) {
      expect(await lists(table)).toEqual([second.listId]);
    }
    const after = await call("GET", "/v1/admin/sanctions/status", { headers: admin });
    expect(after.json).toMatchObject({ loaded: true, source: "newer.csv", active: { id: second.listId, status: "active" } });
    expect(after.json.imports.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([
      [second.listId, "active"],
      [first.listId, "superseded"],
    ]);
    const delisted = await env.DB.prepare("SELECT count(*) AS n FROM sanctions_entries WHERE sdn_id = 22790").first<{ n: number }>();
    expect(delisted?.n).toBe(0);
  }, 120_000);

  it("refuses uploads without the operator token, of the wrong type, too large or not SDN.CSV", async () => {
    const row = sdnRow(1, "TEST, Person", "individual", "SDGT", null);
    expect((await upload(row, { "content-type": "text/csv" })).status).toBe(401);
    expect((await upload(row, { authorization: "Bearer wrong-token-0123456789", "content-type": "text/csv" })).status).toBe(401);
    const json = await upload(JSON.stringify({ csv: row }), { ...admin, "content-type": "application/json" });
    expect(json.status).toBe(415);
    expect(json.json.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const empty = await upload("");
    expect(empty.status).toBe(400);
    const notSdn = await upload("name,email\nada,ada@example.com\n");
    expect(notSdn.status).toBe(422);
    expect(notSdn.json.error.code).toBe("UNPROCESSABLE");
    const huge = await upload("x".repeat(MAX_SANCTIONS_UPLOAD_BYTES + 1));
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await call("GET", "/v1/admin/sanctions/status")).status).toBe(401);
  });
});
