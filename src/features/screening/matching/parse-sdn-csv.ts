import Papa from "papaparse";
import { type RemarkFacts, parseRemarks } from "./remarks.ts";

export type SdnType = "individual" | "entity" | "vessel" | "aircraft";

export interface SdnEntry extends RemarkFacts {
  sdnId: number;
  name: string;
  type: SdnType;
  programs: string[];
  title: string | null;
  remarks: string | null;
  vessel: {
    callSign: string | null;
    type: string | null;
    tonnage: string | null;
    grossRegisteredTonnage: string | null;
    flag: string | null;
    owner: string | null;
  } | null;
}

export interface ParsedSdnList {
  entries: SdnEntry[];
  /** Rows that were not SDN records (wrong column count, no numeric id); reported, not fatal. */
  skippedRows: number;
}

export class SdnFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SdnFormatError";
  }
}

const COLUMNS = 12;

/** OFAC writes an empty field as "-0-" (with a trailing space). */
const field = (value: string | undefined): string | null => {
  const v = (value ?? "").trim();
  return v === "" || v === "-0-" ? null : v;
};

const typeOf = (value: string | null): SdnType | null => {
  if (value === null) return "entity";
  const t = value.toLowerCase();
  return t === "individual" || t === "vessel" || t === "aircraft" ? t : null;
};

/** "[SDGT] [IRAN]" is stored without its outer brackets: "SDGT] [IRAN". */
const programsOf = (value: string | null) =>
  value
    ? value
        .split(/\]\s*\[/)
        .map((p) => p.replace(/[[\]]/g, "").trim())
        .filter(Boolean)
    : [];

/**
 * Parses OFAC's legacy SDN.CSV (no header; ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
 * Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks) into entries with their remark facts.
 */
export function parseSdnCsv(text: string): ParsedSdnList {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { skipEmptyLines: true });
  const entries: SdnEntry[] = [];
  const seen = new Set<number>();
  let skippedRows = 0;
  for (const row of parsed.data) {
    const sdnId = Number((row[0] ?? "").trim());
    const name = field(row[1]);
    const type = typeOf(field(row[2]));
    if (row.length !== COLUMNS || !Number.isSafeInteger(sdnId) || sdnId <= 0 || !name || !type || seen.has(sdnId)) {
      skippedRows++;
      continue;
    }
    seen.add(sdnId);
    const remarks = field(row[11]);
    const vessel = {
      callSign: field(row[5]),
      type: field(row[6]),
      tonnage: field(row[7]),
      grossRegisteredTonnage: field(row[8]),
      flag: field(row[9]),
      owner: field(row[10]),
    };
    entries.push({
      sdnId,
      name,
      type,
      programs: programsOf(field(row[3])),
      title: field(row[4]),
      remarks,
      vessel: Object.values(vessel).some((v) => v !== null) ? vessel : null,
      ...parseRemarks(remarks),
    });
  }
  if (entries.length === 0) {
    throw new SdnFormatError("No SDN records found: expected OFAC's SDN.CSV (12 columns, numeric ent_num first, no header)");
  }
  // A stray trailer (OFAC ends the file with a SUB character) is fine; a file of mostly other rows is not SDN.CSV.
  if (skippedRows > Math.max(10, entries.length * 0.01)) {
    throw new SdnFormatError(`${skippedRows} of ${skippedRows + entries.length} rows are not SDN records`);
  }
  return { entries, skippedRows };
}
