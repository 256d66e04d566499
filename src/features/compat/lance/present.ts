import { type ContactRow, foundNothing } from "../../contact-enrichment";

/**
 * A contact enrichment as Lance documents it. The one difference of meaning is derived here, from the stored fact
 * (`foundNothing`): a search that found nothing, which Dossier shows as failed with NO_DATA, is Lance's `finished`
 * with `dataFound: false`. `createdBy` is the API key that asked.
 */
export function presentLance(row: ContactRow) {
  const nothing = foundNothing(row);
  return {
    id: row.id,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    entityId: row.entityId,
    entityType: "person" as const,
    field: row.field,
    status: nothing ? ("finished" as const) : row.status,
    error: nothing ? null : (row.error?.message ?? null),
    dataFound: nothing ? false : row.status === "finished" ? true : null,
    createdBy: row.createdBy ?? "",
    orgId: row.orgId,
    globalEnrichmentId: row.globalEnrichmentId,
    creditTransactionId: row.creditTransactionId,
  };
}
