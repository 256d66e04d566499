import type { Db } from "../../../platform/db/client";
import type { Env } from "../../../platform/env";
import { ApiError, notFound } from "../../../platform/errors";
import type { EntityRow } from "../../entities";
import { findEntitiesByRef } from "../../entities";
import { INTEGRATION_TASK, getJob, jobResults } from "../../jobs";
import { requestIdOf } from "./events";

const REQUEST_ID = /^enr_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The job behind a requestId; anything else names no run (404, like an unknown one). */
export function jobIdOf(requestId: string): string {
  const match = REQUEST_ID.exec(requestId);
  if (!match?.[1]) throw notFound("Enrichment run");
  return match[1].toLowerCase();
}

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);
const enrichedValue = (entity: EntityRow, field: string): unknown => entity.enriched[field]?.value;

/**
 * A profile as Instaview's `candidate`, from what Dossier knows of the entity (its attributes, then what enrichment
 * found). Instaview's sourcing scores (matchScore, rationale, fit points, red flags, experience) are not something
 * Dossier computes: null or empty.
 */
function candidateOf(profileId: string, entity: EntityRow) {
  const a = entity.attributes as Record<string, unknown>;
  const title = text(a.title) ?? text(enrichedValue(entity, "title"));
  const emails = [a.email, enrichedValue(entity, "email"), ...[enrichedValue(entity, "contactEmails")].flat()].flatMap((v) => text(v) ?? []);
  return {
    profileId,
    name: text(a.fullName) ?? text(enrichedValue(entity, "name")),
    linkedinUrl: text(a.linkedinUrl) ?? text(enrichedValue(entity, "linkedinUrl")),
    matchScore: null,
    rationale: null,
    skills: [] as string[],
    headline: title,
    location: text(a.country),
    currentCompany: text(a.companyName),
    currentRole: title,
    aiFitPoints: [] as string[],
    aiRedFlags: [] as string[],
    aiDetailedRationale: [] as unknown[],
    detailedExperience: [] as unknown[],
    emails: [...new Set(emails)],
  };
}

const RUN_STATUS: Record<string, "processing" | "completed" | "failed"> = {
  queued: "processing",
  processing: "processing",
  paused: "processing",
  completed: "completed",
  failed: "failed",
  cancelled: "failed",
};

/**
 * GET /sourcing/enrich/{requestId}/results: while the job runs, 202 `processing`; once it is over, 200 with one item
 * per profile (named by its externalId, else its id): enriched (`success`, the candidate) or failed (`error`, not
 * billed), and the credits the run was charged.
 */
export async function readRun(env: Env, db: Db, orgId: string, requestId: string) {
  const jobId = jobIdOf(requestId);
  const job = await getJob(env, db, orgId, jobId).catch((error: unknown) => {
    throw error instanceof ApiError && error.code === "NOT_FOUND" ? notFound("Enrichment run") : error;
  });
  // Runs are integration jobs; another kind of job (an LLM run) is no enrichment run of Instaview's.
  if (job.kind !== INTEGRATION_TASK) throw notFound("Enrichment run");
  const status = RUN_STATUS[job.status] ?? "processing";
  const base = { success: true, requestId: requestIdOf(job.id), status, createdAt: job.createdAt };
  if (status === "processing") {
    return { done: false as const, body: { ...base, status, message: "Enrichment is in progress. Please poll again in a few seconds." } };
  }
  // An integration job's rows name their entity (as a synchronous enrichment's do).
  const outcomes = (await jobResults(env, db, orgId, job.id, { limit: 200 })).data.map((o) => ({ ...o, entityId: String(o.entityId) }));
  const entities = await findEntitiesByRef(db, orgId, outcomes.map((o) => o.entityId));
  const data = outcomes.map((o) => {
    const profileId: string = o.externalId ?? o.entityId;
    const entity = entities.get(o.entityId);
    if (o.status === "succeeded" && entity) return { profileId, entityId: o.entityId, success: true, candidate: candidateOf(profileId, entity) };
    return { profileId, entityId: o.entityId, success: false, error: o.error?.message ?? (o.status === "cancelled" ? "The run was cancelled before this profile" : "Not enriched") };
  });
  return {
    done: true as const,
    body: {
      ...base,
      status,
      completedAt: job.finishedAt,
      enrichedCount: data.filter((d) => d.success).length,
      failureCount: data.filter((d) => !d.success).length,
      creditsConsumed: job.credits,
      data,
    },
  };
}
