import Papa from "papaparse";
import { FORMULA_START } from "./cells";

/** Numbers, including E.164 phones (`+14155550100`) and negatives: no spreadsheet runs these as formulas. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * A cell as written. A value a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return, and not a plain number) gets a leading `'`; the importer takes it off again (cells.ts).
 */
export function writeCell(value: unknown): string {
  const text = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** RFC 4180: a header row, fields quoted only when they hold a comma, a quote, a line break or edge spaces, CRLF after every row. */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return `${Papa.unparse({ fields: columns, data: rows.map((row) => columns.map((c) => writeCell(row[c]))) }, { newline: "\r\n" })}\r\n`;
}
