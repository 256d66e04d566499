import type { Env } from "../../../platform/env";
import type { EnrichmentJob } from "./enrichment-job";

/** The job's object: one per job id, found by name, so no lookup table is needed. */
export function getJobStub(env: Pick<Env, "ENRICHMENT_JOB">, jobId: string) {
  return env.ENRICHMENT_JOB.get(env.ENRICHMENT_JOB.idFromName(jobId));
}

/**
 * The object's methods whose answers carry provider data. Their values are plain structured-cloneable objects, but
 * RPC's type mapping rejects `unknown` (as in `enrichmentData: Record<string, unknown>`), so they are typed here.
 */
export function jobReader(env: Pick<Env, "ENRICHMENT_JOB">, jobId: string): Pick<EnrichmentJob, "outcomes" | "entitiesWithStatus"> {
  return getJobStub(env, jobId) as unknown as Pick<EnrichmentJob, "outcomes" | "entitiesWithStatus">;
}
