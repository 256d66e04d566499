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
export type { KindEvent, LostTask, LostTaskRecord, PlannedTask, PresentedOutcome, TaskKind, TaskMessage } from "./engine/task-kind";
export { getJobStub } from "./engine/stub";
export type {
  ClaimAnswer,
  EntityDirective,
  EntityOutcome,
  JobEntity,
  JobSpec,
  QueuedTask,
  StoredJobSpec,
  TaskClaim,
  TaskReport,
  TaskResult,
  TaskRow,
} from "./engine/types";
export { checkJobWebhook, getJobRow } from "./create";
export { launchJob } from "./launch";
export type { JobLaunch } from "./launch";
export { actOnJob, jobEventStream, openJobEvents } from "./read";
export { MAX_JOB_ENTITIES, prepareEntities, writeEntities } from "./entities";
export type { InlineEntity, JobEntityInput } from "./entities";
export { recordTaskResults } from "./integration-task/record-results";
export { retryDelaySeconds } from "./integration-task/task-reporter";

export const feature: FeatureManifest = {
  name: "jobs",
  routers: [jobRoutes],
  providerCalls: { job_task: runJobTasks },
  taskKinds: [integrationTask],
  webhookEvents: JOB_EVENTS,
};
export { INTEGRATION_TASK } from "./integration-task/kind";
