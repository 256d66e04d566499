import type { FeatureManifest } from "../../platform/worker/feature";
import { JOB_EVENTS } from "./engine/job-event";
import { integrationTask } from "./integration-task/kind";
import { runJobTasks } from "./integration-task/run-tasks";
import { jobRoutes } from "./routes";

export { EnrichmentJob } from "./engine/enrichment-job";
export { createJob } from "./create";
export type { JobRequest } from "./create";
export { getJob, jobResults } from "./read";
export { registerTaskKinds } from "./engine/task-kind";
export type { LostTask, LostTaskRecord, PlannedTask, TaskKind, TaskMessage } from "./engine/task-kind";
export { getJobStub } from "./engine/stub";
export type { ClaimAnswer, EntityOutcome, JobSpec, StoredJobSpec, TaskClaim, TaskReport, TaskResult } from "./engine/types";

export const feature: FeatureManifest = {
  name: "jobs",
  routers: [jobRoutes],
  providerCalls: { job_task: runJobTasks },
  taskKinds: [integrationTask],
  webhookEvents: JOB_EVENTS,
};
