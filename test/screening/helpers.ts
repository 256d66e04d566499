import { env } from "cloudflare:workers";
import { TEST_ADMIN_TOKEN, call } from "../helpers/api";

let csv: Promise<string> | undefined;

/** The real OFAC SDN.CSV (2024-05-03), served by the fake provider from ../shared/data. */
export function realSdnCsv(): Promise<string> {
  csv ??= fetch(`${env.FAKE_PROVIDER_URL}/ofac/sdn.csv`).then(async (res) => {
    const text = await res.text();
    if (!res.ok) throw new Error(`The SDN list is needed for these tests: ${text}`);
    return text;
  });
  return csv;
}

export const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** Uploads an SDN.CSV through the operator endpoint, as a deployment would. */
export async function importSdnCsv(text: string, source = "test") {
  const res = await call("POST", `/v1/admin/sanctions/import?source=${encodeURIComponent(source)}`, {
    headers: { ...admin, "content-type": "text/csv" },
    rawBody: text,
  });
  if (res.status !== 200) throw new Error(`import failed: ${res.status} ${res.text.slice(0, 500)}`);
  return res.json as { listId: string; entries: number; names: number; tokens: number; typoVariants: number; skippedRows: number };
}

/** One SDN.CSV row, in OFAC's quoting, for lists built inside a test. */
export function sdnRow(id: number, name: string, type: string | null, program: string, remarks: string | null): string {
  const q = (v: string | null) => (v === null ? "-0- " : `"${v.replace(/"/g, '""')}"`);
  return [String(id), q(name), q(type), q(program), "-0- ", "-0- ", "-0- ", "-0- ", "-0- ", "-0- ", "-0- ", q(remarks)].join(",");
}
