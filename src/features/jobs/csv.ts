import Papa from "papaparse";
import type { EntityType } from "../../domain/attributes";
import { ApiError } from "../../platform/errors";
import { type JobEntityInput, MAX_JOB_ENTITIES } from "./entities";

const TYPE_COLUMNS = new Set(["type", "entitytype"]);
const EXTERNAL_ID_COLUMNS = new Set(["externalid", "external_id"]);
const ENTITY_ID_COLUMNS = new Set(["entityid", "entity_id", "id"]);

const invalid = (message: string, details: { path: string; message: string }[] = []) => new ApiError("VALIDATION_ERROR", message, { details });

/**
 * A spreadsheet as job entities. The header row names attributes (`custom.<name>` for custom ones) plus
 * `type`, `externalId` and `entityId` (an existing entity, whose other cells are ignored). Empty cells are left out;
 * rows without a `type` take `defaultType`.
 */
export function entitiesFromCsv(text: string, defaultType: EntityType | undefined): JobEntityInput[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
    transformHeader: (h) => h.trim(),
  });
  // A one-column sheet has no delimiter to detect (Papa falls back to a comma); short rows just lack cells.
  const fatal = parsed.errors.filter((e) => e.type === "Quotes" || e.code === "TooManyFields");
  if (fatal.length > 0) {
    throw invalid(
      "The CSV could not be parsed",
      fatal.slice(0, 20).map((e) => ({ path: `row ${(e.row ?? 0) + 2}`, message: e.message })),
    );
  }
  const columns = parsed.meta.fields ?? [];
  if (columns.length === 0) throw invalid("The CSV needs a header row naming attributes");
  if (parsed.data.length > MAX_JOB_ENTITIES) {
    throw invalid(`A job takes at most ${MAX_JOB_ENTITIES} entities; this CSV has ${parsed.data.length} rows`, [
      { path: "entities", message: `At most ${MAX_JOB_ENTITIES} entities per job` },
    ]);
  }
  return parsed.data.map((row, i): JobEntityInput => {
    const cells = Object.entries(row)
      .map(([column, value]) => [column, typeof value === "string" ? value.trim() : ""] as const)
      .filter(([, value]) => value !== "");
    const cell = (names: Set<string>) => cells.find(([column]) => names.has(column.toLowerCase()))?.[1];
    const entityId = cell(ENTITY_ID_COLUMNS);
    if (entityId) return entityId;
    const type = (cell(TYPE_COLUMNS)?.toLowerCase() ?? defaultType) as string | undefined;
    if (type !== "person" && type !== "company") {
      throw invalid(`Row ${i + 2} needs a type (person or company)`, [
        { path: `entities.${i}.type`, message: "Add a `type` column or the `type` query parameter" },
      ]);
    }
    const attributes: Record<string, unknown> = {};
    const custom: Record<string, string> = {};
    for (const [column, value] of cells) {
      const lower = column.toLowerCase();
      if (TYPE_COLUMNS.has(lower) || EXTERNAL_ID_COLUMNS.has(lower) || ENTITY_ID_COLUMNS.has(lower)) continue;
      if (lower.startsWith("custom.")) custom[column.slice("custom.".length)] = value;
      else attributes[column] = value;
    }
    if (Object.keys(custom).length > 0) attributes.custom = custom;
    return { type, externalId: cell(EXTERNAL_ID_COLUMNS) ?? null, attributes };
  });
}

/** Rows as CSV; cells that a spreadsheet would run as formulas are escaped. */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return Papa.unparse({ fields: columns, data: rows.map((row) => columns.map((c) => cell(row[c]))) }, { escapeFormulae: true });
}
