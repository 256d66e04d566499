import type { Env } from "../../platform/env";
import { publish, newEvent } from "../../platform/events";
import { type ContactRow, presentContactEnrichment } from "./records";

declare module "../../platform/events" {
  interface DomainEventMap {
    "contact_enrichment.finished": Record<string, unknown>;
  }
}

/** The contact enrichment events webhooks may subscribe to. */
export const CONTACT_ENRICHMENT_EVENTS = ["contact_enrichment.finished"] as const;

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
