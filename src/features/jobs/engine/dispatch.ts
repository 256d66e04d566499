import type { JobSpec, JobTaskMessage } from "./types";
import type { QueuedTask } from "./store";
import { chunks } from "../../../platform/lib/chunks";

/** Queues accepts at most 100 messages per sendBatch call. */
export const SEND_BATCH_LIMIT = 100;

export function taskMessage(spec: Omit<JobSpec, "entities">, task: QueuedTask, dispatch: number): JobTaskMessage {
  return {
    kind: "job_task",
    jobId: spec.jobId,
    taskId: task.id,
    dispatch,
    orgId: spec.orgId,
    actorKeyId: spec.actorKeyId,
    entityId: task.entity_id,
    entityIndex: task.entity_idx,
    integrationCodes: JSON.parse(task.codes) as string[],
    strategy: spec.strategy,
    params: spec.params,
    forceRefresh: spec.forceRefresh,
  };
}

export async function sendTaskMessages(queue: Queue, messages: JobTaskMessage[]): Promise<void> {
  for (const chunk of chunks(messages, SEND_BATCH_LIMIT)) {
    await queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
  }
}
