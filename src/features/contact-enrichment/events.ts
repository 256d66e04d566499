import type { Env } from "../../platform/env";
import { publish, newEvent } from "../../platform/events";
import { type ContactRow, presentContactEnrichment } from "./records";

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
