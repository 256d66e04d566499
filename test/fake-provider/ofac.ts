import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { registerFakeRoute } from "./registry";

/**
 * OFAC's download of the legacy SDN.CSV (`/ofac/sdn.csv`), serving the real list from ../shared/data.
 * The Worker's tests cannot read files, so they fetch it here, as an operator would from treasury.gov.
 */
const SDN_CSV = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/data/ofac-sdn-2024-05-03.csv");

let cached: string | null | undefined;
function sdnCsv(): string | null {
  if (cached === undefined) {
    try {
      cached = readFileSync(SDN_CSV, "utf8");
    } catch {
      cached = null;
    }
  }
  return cached ?? null;
}

registerFakeRoute("ofac", (_req, _body, url) => {
  if (url.pathname !== "/ofac/sdn.csv") return { status: 404, body: { error: "no such file" } };
  const csv = sdnCsv();
  if (csv === null) return { status: 404, body: { error: `missing ${SDN_CSV}` } };
  return { status: 200, headers: { "content-type": "text/csv; charset=utf-8" }, body: csv };
});
