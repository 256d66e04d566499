/// <reference types="node" />
/**
 * npm run sanctions:import [-- <path/to/sdn.csv>] [--remote] [--persist-to <dir>] [--source <label>]
 *
 * Loads OFAC's SDN.CSV into D1 (the local database by default; `--remote` for production) with the
 * same parser, rows and SQL as the admin upload. The SQL goes to `wrangler d1 execute --file` in
 * chunks; the new copy loads beside the active one and replaces it in the last chunk, so the command
 * can be re-run at any time. Runs under Node's type stripping: imports name their `.ts` files.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { buildListRows } from "../src/features/screening/matching/list-rows.ts";
import { activateStatement, beginStatement, cleanupStatements, rowStatements } from "../src/features/screening/matching/list-sql.ts";
import { parseSdnCsv } from "../src/features/screening/matching/parse-sdn-csv.ts";

const DEFAULT_CSV = "../shared/data/ofac-sdn-2024-05-03.csv";
/** Each `wrangler d1 execute --file` call gets about this much SQL. */
const CHUNK_BYTES = 8 * 1024 * 1024;

interface Options {
  path: string;
  remote: boolean;
  persistTo?: string;
  source?: string;
  database: string;
}

function readOptions(argv: string[]): Options {
  const options: Options = { path: DEFAULT_CSV, remote: false, database: "DB" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--remote") options.remote = true;
    else if (arg === "--local") options.remote = false;
    else if (arg === "--persist-to") options.persistTo = value();
    else if (arg === "--source") options.source = value();
    else if (arg === "--database") options.database = value();
    else if (arg.startsWith("--")) throw new Error(`Unknown option ${arg}`);
    else options.path = arg;
  }
  if (options.remote && options.persistTo) throw new Error("--persist-to is for the local database only");
  return options;
}

function wrangler(args: string[], capture = false): string {
  const result = spawnSync("npx", ["wrangler", ...args], {
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${result.status})`);
  return result.stdout ?? "";
}

function main() {
  const options = readOptions(process.argv.slice(2));
  const target = options.remote ? ["--remote"] : ["--local", ...(options.persistTo ? ["--persist-to", options.persistTo] : [])];
  const csv = readFileSync(resolve(options.path), "utf8");
  const parsed = parseSdnCsv(csv);
  const rows = buildListRows(parsed.entries);
  const load = {
    listId: randomUUID(),
    source: options.source ?? basename(options.path),
    checksum: createHash("sha256").update(csv).digest("hex"),
    startedAt: new Date().toISOString(),
  };
  console.log(
    `${load.source}: ${rows.entries.length} entries, ${rows.names.length} names, ${rows.tokens.length} index tokens, ` +
      `${rows.variants.length} typo variants (${parsed.skippedRows} rows skipped)`,
  );

  if (!options.remote) wrangler(["d1", "migrations", "apply", options.database, ...target]);

  const dir = mkdtempSync(join(tmpdir(), "sanctions-import-"));
  try {
    const chunks: string[][] = [];
    let current: string[] = [...cleanupStatements(), beginStatement(load, rows)];
    let size = 0;
    for (const statement of rowStatements(load.listId, rows)) {
      if (size + statement.length > CHUNK_BYTES && current.length > 0) {
        chunks.push(current);
        current = [];
        size = 0;
      }
      current.push(statement);
      size += statement.length;
    }
    chunks.push(current);

    chunks.forEach((statements, i) => {
      const last = i === chunks.length - 1;
      // The switch to the new copy and the removal of the old rows end the last chunk.
      const sql = [...statements, ...(last ? [activateStatement(load.listId, new Date().toISOString()), ...cleanupStatements()] : [])];
      const file = join(dir, `chunk-${String(i + 1).padStart(3, "0")}.sql`);
      writeFileSync(file, `${sql.join(";\n")};\n`);
      console.log(`chunk ${i + 1}/${chunks.length} (${(sql.join("").length / 1e6).toFixed(1)} MB)`);
      // Captured: wrangler would print a result object for each of the chunk's statements.
      wrangler(["d1", "execute", options.database, ...target, "--yes", "--file", file], true);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const check = wrangler(
    ["d1", "execute", options.database, ...target, "--json", "--command", `SELECT status, entries, names FROM sanctions_lists WHERE id = '${load.listId}'`],
    true,
  );
  if (!check.includes('"status": "active"') && !check.includes('"status":"active"')) {
    throw new Error(`The new list did not become active (another import may have replaced it): ${check}`);
  }
  console.log(`Active: ${load.source} (${load.listId}) in the ${options.remote ? "remote" : "local"} database`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
