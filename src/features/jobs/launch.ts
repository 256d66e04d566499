import { jobs } from "../../db/schema/jobs";
import type { Db } from "../../platform/db/client";
import { sqlFragment } from "../../platform/db/sql-fragment";
import { rawStatement, runStatements } from "../../platform/db/statements";
import type { Env } from "../../platform/env";
import type { Caller } from "../../platform/http/context";
import { nowIso } from "../../platform/lib/time";
import { releaseCredits, releaseStatement, reserveCredits } from "../billing";
import { auditStatement } from "../tenancy";
import { getJobStub } from "./engine/stub";
import type { JobSpec } from "./engine/types";

type JobInsert = typeof jobs.$inferInsert;

/** What a job's creator hands `launchJob` once everything that can refuse the job has been checked. */
export interface JobLaunch<S extends JobSpec> {
  /** The most the job could charge: a prepaid organization's balance must cover it (402 otherwise) and holds it. */
  maxCharge: number;
  /** Writes what must exist before the job's row (its inline entities) and answers the spec its object runs, holding `reservedCredits`. */
  spec: (reservedCredits: number) => Promise<S>;
  /** The job row's columns the spec does not give (id, organization, webhook, reservation, entity types and times come from it). */
  row: Pick<JobInsert, "kind" | "details" | "strategy" | "integrationCodes" | "entityCount" | "parentJobId" | "skippedRows">;
  /** The audit entry's action and data (`job.created`, `llm_job.started`), given the credits held. */
  audit: { action: string; data: (reservedCredits: number) => Record<string, unknown> };
  /** Statements that land in the same batch as the job row (an inline schema). */
  extra?: Parameters<Db["batch"]>[0][number][];
}

/**
 * Holds the job's credits, writes its entities and then its D1 row and audit row (and `extra`) in one batch; if
 * anything after the hold fails, the hold goes back and the error is rethrown. Answers the spec, not yet started
 * (`launchJob` starts it; tests start the object themselves).
 */
export async function writeJob<S extends JobSpec>(db: Db, caller: Caller, launch: JobLaunch<S>): Promise<S> {
  const { reserved } = await reserveCredits(db, caller.orgId, launch.maxCharge);
  try {
    const spec = await launch.spec(reserved);
    await db.batch([
      jobRowStatement(db, {
        ...launch.row,
        id: spec.jobId,
        orgId: caller.orgId,
        status: "queued",
        entityTypes: [...new Set(spec.entities.map((e) => e.type))].sort(),
        webhookId: spec.webhookId,
        reservedCredits: reserved,
        createdByKeyId: caller.keyId,
        createdAt: spec.createdAt,
        updatedAt: spec.createdAt,
      }),
      auditStatement(db, {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: launch.audit.action,
        targetType: "job",
        targetId: spec.jobId,
        data: launch.audit.data(reserved),
      }),
      ...(launch.extra ?? []),
    ]);
    return spec;
  } catch (error) {
    await releaseCredits(db, caller.orgId, reserved);
    throw error;
  }
}

/** Creates a job (`writeJob`) and hands it to its Durable Object (`startJob`). Answers the spec it runs. */
export async function launchJob<S extends JobSpec>(env: Env, db: Db, caller: Caller, launch: JobLaunch<S>): Promise<S> {
  const spec = await writeJob(db, caller, launch);
  await startJob(env, db, spec);
  return spec;
}

/** The job's D1 row, for the creator's batch (with its audit row); `kind` says which task kind runs it. */
export function jobRowStatement(db: Db, row: JobInsert) {
  return db.insert(jobs).values(row);
}

/** Hands the job to its object. Starting is idempotent, so one retry is safe; if both fail the job fails cleanly. */
export async function startJob(env: Env, db: Db, spec: JobSpec): Promise<void> {
  const stub = () => getJobStub(env, spec.jobId);
  try {
    await stub().start(spec);
  } catch {
    try {
      await stub().start(spec);
    } catch (error) {
      // Version 0 only: if the object did start after all, its own writes take over the row.
      await runStatements(db, [
        releaseStatement(db, spec.orgId, spec.reservedCredits, sqlFragment("EXISTS (SELECT 1 FROM jobs WHERE id = ? AND released_credits = 0)", spec.jobId)),
        rawStatement(db, "UPDATE jobs SET status = 'failed', released_credits = ?, finished_at = ?, updated_at = ? WHERE id = ? AND version = 0", spec.reservedCredits, nowIso(), nowIso(), spec.jobId),
      ]);
      throw error;
    }
  }
}
