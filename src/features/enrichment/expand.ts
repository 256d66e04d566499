import type { Db } from "../../platform/db/client";
import { ApiError } from "../../platform/errors";
import { findGroup } from "../catalog";
import type { Integration } from "../../providers/types";

/**
 * Group refs expand to their codes in stored order, then `integrationCodes` are appended, then duplicates
 * are dropped keeping the first. Unknown groups or codes are a 400; enablement is checked per code later.
 */
export async function expandIntegrationCodes(
  db: Db,
  orgId: string,
  catalog: Map<string, Integration>,
  request: { integrationCodes?: string[]; enrichmentGroupRefs?: string[] },
): Promise<Integration[]> {
  const refs = request.enrichmentGroupRefs ?? [];
  const direct = request.integrationCodes ?? [];
  if (refs.length === 0 && direct.length === 0) {
    throw new ApiError("VALIDATION_ERROR", "Name at least one integration code or enrichment group", {
      details: [{ path: "integrationCodes", message: "integrationCodes or enrichmentGroupRefs must be non-empty" }],
    });
  }
  const groups = await Promise.all(refs.map((ref) => findGroup(db, orgId, ref)));
  const unknownGroups = refs.filter((_, i) => !groups[i]);
  if (unknownGroups.length > 0) {
    throw new ApiError("VALIDATION_ERROR", `Unknown enrichment group: ${unknownGroups.join(", ")}`, {
      details: unknownGroups.map((ref) => ({ path: "enrichmentGroupRefs", message: `Unknown group '${ref}'` })),
    });
  }
  const codes = [...new Set([...groups.flatMap((g) => g?.integrationCodes ?? []), ...direct])];
  const unknownCodes = codes.filter((c) => !catalog.has(c));
  if (unknownCodes.length > 0) {
    throw new ApiError("VALIDATION_ERROR", `Unknown integration code: ${unknownCodes.join(", ")}`, {
      details: unknownCodes.map((code) => ({ path: "integrationCodes", message: `Unknown integration '${code}'` })),
    });
  }
  return codes.map((c) => catalog.get(c) as Integration);
}
