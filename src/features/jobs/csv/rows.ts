import type { SkippedRow } from "../../../db/schema/jobs";
import type { Db } from "../../../platform/db/client";
import { ApiError } from "../../../platform/errors";
import { type EntityProblem, type PreparedEntities, checkEntities } from "../entities";
import type { CsvRow, CsvUpload, RowError } from "./read";

/** What to do with a row that cannot become an entity: leave it out (the default) or refuse the whole file. */
export type OnInvalidRow = "skip" | "reject";

/** A skipped row lists at most this many of its problems. */
const MAX_ERRORS_PER_ROW = 10;

/** An entity problem (paths relative to the entity) as the row's errors, naming the CSV column each came from. */
function rowErrors(row: CsvRow, problem: EntityProblem, rowOf: (index: number) => number | undefined): RowError[] {
  const at = (path: string, message: string, code: string): RowError => ({ column: row.headerOf.get(path) ?? null, path, message, code });
  switch (problem.kind) {
    case "duplicate":
      return [at(row.headerOf.has("entityId") ? "entityId" : "externalId", `Same entity as row ${rowOf(problem.sameAs ?? -1)}`, "duplicate")];
    case "unknown_id":
      return [at("entityId", "No such entity in this organization", "not_found")];
    case "type_conflict":
      return problem.details.map((d) => at("externalId", d.message, d.code));
    case "attributes":
      return problem.details.map((d) => at(d.path.replace(/^attributes\.?/, ""), d.message, d.code));
  }
}

/** Every problem of the refused rows as error details: `row 3.email`, with the row and the column. */
function asDetails(skipped: SkippedRow[]) {
  return skipped.flatMap((s) =>
    s.errors.map((e) => ({ path: e.path ? `row ${s.row}.${e.path}` : `row ${s.row}`, message: e.message, code: e.code, row: s.row, column: e.column })),
  );
}

/**
 * The upload's rows checked as job entities (attributes, ids, rows naming one entity twice, type conflicts). With
 * `skip`, rows with a problem are left out and listed; with `reject`, any such row refuses the file (400 listing
 * every one). A file with no valid row is a 400 either way: it would be an empty job.
 */
export async function prepareCsvRows(db: Db, orgId: string, upload: CsvUpload, onInvalidRow: OnInvalidRow): Promise<{ prepared: PreparedEntities; skippedRows: SkippedRow[] }> {
  if (upload.rows.length === 0) {
    throw new ApiError("VALIDATION_ERROR", "The CSV has a header row but no data rows", { details: [{ path: "row 2", message: "No data rows", code: "missing" }] });
  }
  const candidates = upload.rows.filter((r) => r.input !== null);
  const { prepared, problems } = await checkEntities(
    db,
    orgId,
    candidates.flatMap((r) => (r.input === null ? [] : [r.input])),
  );
  const rowOf = (index: number) => candidates[index]?.row;
  const errorsByRow = new Map<number, RowError[]>(upload.rows.filter((r) => r.errors.length > 0).map((r) => [r.row, r.errors]));
  for (const problem of problems) {
    const row = candidates[problem.index];
    if (!row) continue;
    errorsByRow.set(row.row, [...(errorsByRow.get(row.row) ?? []), ...rowErrors(row, problem, rowOf)]);
  }
  const skippedRows = [...errorsByRow.entries()]
    .sort(([a], [b]) => a - b)
    .map(([row, errors]): SkippedRow => ({ row, errors: errors.slice(0, MAX_ERRORS_PER_ROW) }));
  if (prepared.slots.length === 0) {
    throw new ApiError("VALIDATION_ERROR", `Every row of the CSV is invalid (${skippedRows.length}); nothing to run`, { details: asDetails(skippedRows) });
  }
  if (onInvalidRow === "reject" && skippedRows.length > 0) {
    throw new ApiError("VALIDATION_ERROR", `${skippedRows.length} row(s) of the CSV are invalid (onInvalidRow=reject)`, { details: asDetails(skippedRows) });
  }
  return { prepared, skippedRows };
}
