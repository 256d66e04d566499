import type { Caller } from "../../../platform/http/context";
import type { Db } from "../../../platform/db/client";
import type { Env } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import { findGroup } from "../../catalog";
import { findEntitiesByRef } from "../../entities";
import { createJob } from "../../jobs";
import { INSTAVIEW_EVENTS, INSTAVIEW_ORIGIN, requestIdOf } from "./events";
import { DEEP_ENRICHMENT_GROUP, DEFAULT_DEEP_ENRICHMENT, PROFILE_CREDITS, PROFILE_TIMEOUT_MS } from "./product";

export interface RunRequest {
  profileIds: string[];
  webhookId?: string;
}

/** Each profile id as an entity id of the organization, in order and once; an id naming nothing refuses the run (400). */
async function entitiesOf(db: Db, orgId: string, profileIds: string[]): Promise<string[]> {
  const found = await findEntitiesByRef(db, orgId, [...new Set(profileIds)]);
  const missing = profileIds.flatMap((ref, i) => (found.has(ref) ? [] : [{ path: `profileIds.${i}`, message: "No profile with this id (an externalId or entity id) in this organization", code: "not_found" }]));
  if (missing.length > 0) throw new ApiError("VALIDATION_ERROR", `${missing.length} profile id(s) not found`, { details: missing });
  return [...new Set(profileIds.map((ref) => found.get(ref)?.id ?? ref))];
}

/**
 * POST /sourcing/enrich: a batch job over the profiles with the organization's deep-enrichment integrations, priced
 * per profile (`entityCredits`: 1 credit per profile enriched, whatever the integrations, and a prepaid balance must
 * cover one per profile before it starts), 10 s per profile (one task each), and its webhook checked against
 * Instaview's events (422). The jobs feature does all of it; this names the options.
 */
export async function startRun(env: Env, db: Db, caller: Caller, request: RunRequest) {
  const entities = await entitiesOf(db, caller.orgId, request.profileIds);
  const group = await findGroup(db, caller.orgId, DEEP_ENRICHMENT_GROUP);
  const job = await createJob(env, db, caller, {
    entities,
    ...(group ? { enrichmentGroupRefs: [group.id] } : { integrationCodes: DEFAULT_DEEP_ENRICHMENT }),
    webhookId: request.webhookId ?? null,
    webhookEvents: INSTAVIEW_EVENTS,
    perEntityTimeoutMs: PROFILE_TIMEOUT_MS,
    entityCredits: PROFILE_CREDITS,
    origin: INSTAVIEW_ORIGIN,
  });
  return {
    success: true,
    requestId: requestIdOf(job.jobId),
    status: "processing" as const,
    message: "Enrichment run accepted and queued for processing.",
    createdAt: job.createdAt,
    webhookId: job.webhookId,
  };
}
