import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * A feature writes only its own tables (ARCHITECTURE.md, "The dependency rule" 5): every INSERT, UPDATE or DELETE
 * of a D1 table, raw (`INSERT INTO t`, `UPDATE t`, `DELETE FROM t`) or through drizzle (`.insert(t)`, `.update(t)`,
 * `.delete(t)`, `prebuiltInsert(t)`), is in a file of the table's owner. Others get statement builders from the
 * owner and put them in their own D1 batch.
 */
type Verb = "insert" | "update" | "delete";
type Owner = string | Record<Verb, string>;

const owners: Record<string, Owner> = {
  // Tenancy creates organizations; their balance and hold move only through billing's builders.
  organizations: { insert: "tenancy", update: "billing", delete: "tenancy" },
  api_keys: "tenancy",
  rate_limit_windows: "tenancy",
  audit_log: "tenancy",
  idempotency_keys: "platform",
  entities: "entities",
  credit_transactions: "billing",
  enrichments: "enrichment",
  integration_settings: "catalog",
  enrichment_groups: "catalog",
  custom_integrations: "catalog",
  jobs: "jobs",
  sanctions_lists: "screening",
  sanctions_entries: "screening",
  sanctions_names: "screening",
  sanctions_name_tokens: "screening",
  sanctions_token_variants: "screening",
  screening_clearances: "screening",
  webhooks: "webhooks",
  webhook_deliveries: "webhooks",
  webhook_delivery_attempts: "webhooks",
  contact_enrichments: "contact-enrichment",
  llm_schemas: "llm",
  llm_schema_versions: "llm",
  llm_provider_settings: "llm",
  llm_records: "llm",
  auto_enrichment_configs: "auto-enrichment",
  auto_enrichment_config_versions: "auto-enrichment",
  auto_enrichment_state: "auto-enrichment",
  auto_enrichment_jobs: "auto-enrichment",
  auto_enrichment_conflicts: "auto-enrichment",
  auto_enrichment_suppressions: "auto-enrichment",
  auto_enrichment_budget_windows: "auto-enrichment",
  // The email-pattern integration's own cache of observed address patterns.
  email_pattern_observations: "providers",
  rules: "rules",
  rule_versions: "rules",
  rule_events: "rules",
  rule_evaluations: "rules",
  alerts: "rules",
  entity_risk_reasons: "rules",
  risk_levels: "rules",
};

const root = join(import.meta.dirname, "../..");
const src = join(root, "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

/** The drizzle table constants of src/db/schema and their SQL names. */
function schemaTables(): Map<string, string> {
  const tables = new Map<string, string>();
  for (const file of files(join(src, "db/schema"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/export const (\w+)\s*=\s*sqliteTable\(\s*"([a-z_]+)"/g)) tables.set(m[1] as string, m[2] as string);
  }
  return tables;
}

/** `features/<name>/…` → name; `platform/…`, `providers/…` → that; the wiring files → "wiring". */
function ownerOfFile(path: string): string {
  const [top, name] = relative(src, path).split("/");
  if (top === "features") return name ?? "";
  return name === undefined ? "wiring" : (top ?? "");
}

interface Write {
  file: string;
  line: number;
  table: string;
  verb: Verb;
}

function writesIn(file: string, byConst: Map<string, string>, sqlNames: Set<string>): Write[] {
  const text = readFileSync(file, "utf8");
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  const found: Write[] = [];
  for (const m of text.matchAll(/\b(INSERT(?:\s+OR\s+[A-Z]+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([a-z_]+)"?/g)) {
    const table = m[2] as string;
    if (!sqlNames.has(table)) continue;
    const verb: Verb = (m[1] as string).startsWith("INSERT") ? "insert" : (m[1] as string).startsWith("UPDATE") ? "update" : "delete";
    found.push({ file, line: lineOf(m.index), table, verb });
  }
  for (const m of text.matchAll(/(?:\.(insert|update|delete)|\b(prebuiltInsert|guardedInsert))\(\s*(\w+)\s*[,)]/g)) {
    const table = byConst.get(m[3] as string);
    if (!table) continue;
    found.push({ file, line: lineOf(m.index), table, verb: (m[1] as Verb | undefined) ?? "insert" });
  }
  return found;
}

const ownerOf = (table: string, verb: Verb) => {
  const owner = owners[table];
  return typeof owner === "string" ? owner : owner?.[verb];
};

describe("table ownership", () => {
  const byConst = schemaTables();
  const sqlNames = new Set(byConst.values());
  // The job's Durable Object keeps its own SQLite tables (job, entities, tasks, events): not D1, and only there.
  const doStorage = files(src).filter((f) => readFileSync(f, "utf8").includes("SqlStorage"));
  const writes = files(src)
    .filter((f) => !doStorage.includes(f))
    .flatMap((f) => writesIn(f, byConst, sqlNames));

  it("names an owner for every table of the schema", () => {
    expect([...sqlNames].filter((t) => !owners[t])).toEqual([]);
    expect(Object.keys(owners).filter((t) => !sqlNames.has(t))).toEqual([]);
  });

  it("keeps Durable Object storage in the job engine", () => {
    expect(doStorage.map((f) => relative(src, f)).filter((f) => !f.startsWith("features/jobs/engine/"))).toEqual([]);
  });

  it("finds the writes it checks (raw SQL and drizzle)", () => {
    expect(writes.length).toBeGreaterThan(50);
    expect(writes.some((w) => w.table === "credit_transactions" && relative(src, w.file).startsWith("features/billing/"))).toBe(true);
    expect(writes.some((w) => w.table === "entities" && w.verb === "update")).toBe(true);
  });

  it("puts every write of a table in the feature that owns it", () => {
    const strays = writes
      .filter((w) => ownerOfFile(w.file) !== ownerOf(w.table, w.verb))
      .map((w) => `${relative(root, w.file)}:${w.line} ${w.verb}s ${w.table} (owner: ${ownerOf(w.table, w.verb)})`);
    expect(strays).toEqual([]);
  });
});
