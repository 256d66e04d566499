import Papa from "papaparse";
import type { SkippedRow } from "../../../db/schema/jobs";
import type { EntityType } from "../../../domain/attributes";
import { ApiError } from "../../../platform/errors";
import { type JobEntityInput, MAX_JOB_ENTITIES } from "../entities";
import { countryCell, readCell } from "./cells";
import { assertApplicable, assertUnambiguous, columnFor, describeColumns, planColumns } from "./columns";

export type RowError = SkippedRow["errors"][number];

/** One data row of the upload. */
export interface CsvRow {
  /** The row number a spreadsheet shows: the header is row 1, the first data row is row 2 (blank rows count). */
  row: number;
  /** The entity the row describes; null when the row could not become one (`errors` say why). */
  input: JobEntityInput | null;
  errors: RowError[];
  /** Which header each attribute (`email`, `custom.city`) and special column (`externalId`) came from. */
  headerOf: Map<string, string>;
}

export interface CsvUpload {
  rows: CsvRow[];
  /** Header → what it was read as. */
  columns: Record<string, string>;
  unmappedColumns: string[];
}

const invalid = (message: string, details: unknown) => new ApiError("VALIDATION_ERROR", message, { details });

const TYPE_WORDS: Record<string, EntityType> = {
  person: "person",
  people: "person",
  contact: "person",
  lead: "person",
  company: "company",
  account: "company",
  organization: "company",
  organisation: "company",
};

/**
 * A spreadsheet as job rows. The header row names attributes, in Dossier's spelling or as CRM exports write them
 * (see columns.ts), plus `type`, `externalId` and `entityId` (an existing entity, whose other cells are ignored);
 * `mapping` (the `columns` parameter) maps any header. Empty cells are left out; rows without a type take
 * `defaultType`. A row that cannot be an entity is kept with its errors, so the caller can skip or refuse it.
 */
export function readCsv(text: string, defaultType: EntityType | undefined, mapping: Record<string, string>): CsvUpload {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { header: false, skipEmptyLines: false });
  const broken = parsed.errors.filter((e) => e.type === "Quotes");
  if (broken.length > 0) {
    throw invalid(
      "The CSV could not be parsed",
      broken.slice(0, 20).map((e) => ({ path: `row ${(e.row ?? 0) + 1}`, message: e.message, code: e.code })),
    );
  }
  const [headerRecord, ...records] = parsed.data;
  const headers = (headerRecord ?? []).map((h) => h.trim());
  if (headers.every((h) => h === "")) throw invalid("The CSV needs a header row naming attributes", [{ path: "row 1", message: "No header row", code: "missing" }]);

  const data = records.map((cells, i) => ({ row: i + 2, cells })).filter(({ cells }) => cells.some((c) => c.trim() !== ""));
  if (data.length > MAX_JOB_ENTITIES) {
    throw invalid(`A job takes at most ${MAX_JOB_ENTITIES} entities; this CSV has ${data.length} rows`, [
      { path: "entities", message: `At most ${MAX_JOB_ENTITIES} entities per job`, code: "too_big" },
    ]);
  }

  const plan = planColumns(headers, mapping);
  const typeColumn = plan.targets.findIndex((t) => t?.kind === "type");
  const typeOf = (cells: string[]): EntityType | string | undefined => {
    const raw = typeColumn >= 0 ? readCell(cells[typeColumn]) : "";
    return raw === "" ? defaultType : (TYPE_WORDS[raw.toLowerCase()] ?? raw);
  };
  const types = new Set(data.map(({ cells }) => typeOf(cells)).filter((t): t is EntityType => t === "person" || t === "company"));
  assertApplicable(headers, plan, types);
  assertUnambiguous(headers, plan, types);

  const rows = data.map(({ row, cells }): CsvRow => {
    const headerOf = new Map<string, string>();
    const errors: RowError[] = [];
    const extra = cells.slice(headers.length).filter((c) => c.trim() !== "").length;
    if (extra > 0) {
      errors.push({ column: null, path: "", message: `This row has ${cells.length} cells; the header names ${headers.length} columns`, code: "too_many_cells" });
    }
    // A row naming an existing entity needs nothing else: its other cells are ignored.
    const entityColumn = plan.targets.findIndex((t) => t?.kind === "entityId");
    const entityId = entityColumn >= 0 ? readCell(cells[entityColumn]) : "";
    if (entityId !== "") {
      headerOf.set("entityId", headers[entityColumn] ?? "");
      if (entityId.length > 100) errors.push({ column: headers[entityColumn] ?? null, path: "entityId", message: "Not an entity id", code: "invalid_value" });
      return { row, input: errors.length > 0 ? null : entityId, errors, headerOf };
    }
    const type = typeOf(cells);
    if (type !== "person" && type !== "company") {
      errors.push(
        type === undefined
          ? { column: null, path: "type", message: "Add a type column or the type query parameter (person or company)", code: "missing" }
          : { column: headers[typeColumn] ?? null, path: "type", message: `Must be person or company, not '${type}'`, code: "invalid_value" },
      );
      return { row, input: null, errors, headerOf };
    }
    const attributes: Record<string, unknown> = {};
    const custom: Record<string, string> = {};
    let externalId: string | null = null;
    for (const [i, target] of plan.targets.entries()) {
      const name = columnFor(target, type);
      const value = readCell(cells[i]);
      if (name === null || name === "type" || name === "entityId" || value === "") continue;
      headerOf.set(name, headers[i] ?? "");
      if (name === "externalId") externalId = value;
      else if (name.startsWith("custom.")) custom[name.slice("custom.".length)] = value;
      else attributes[name] = name === "country" ? countryCell(value) : value;
    }
    if (externalId !== null && externalId.length > 255) {
      errors.push({ column: headerOf.get("externalId") ?? null, path: "externalId", message: "At most 255 characters", code: "too_big" });
    }
    if (Object.keys(custom).length > 0) attributes.custom = custom;
    const input: JobEntityInput = { type, externalId, attributes };
    return { row, input: errors.length > 0 ? null : input, errors, headerOf };
  });
  return { rows, columns: describeColumns(headers, plan, types), unmappedColumns: plan.unmapped };
}
