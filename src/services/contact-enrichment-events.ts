import type { Env } from "../env";
import { publish, newEvent } from "../events/bus";
import { type ContactRow, presentContactEnrichment } from "./contact-enrichment-records";

/**
 * `contact_enrichment.finished` announces every record leaving `pending` (finished, failed, timeout, cancelled):
 * `data.status` says which. Only the settlement that moved the record publishes, so it is sent once.
 */
export async function publishSettled(env: Env, rows: ContactRow[]): Promise<void> {
  await publish(
    env,
    rows.map((row) => newEvent("contact_enrichment.finished", row.orgId, presentContactEnrichment(row))),
  );
}
