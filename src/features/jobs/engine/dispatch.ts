import type { TaskMessage } from "./task-kind";
import { chunks } from "../../../platform/lib/chunks";

/** Queues accepts at most 100 messages per sendBatch call. */
export const SEND_BATCH_LIMIT = 100;

export async function sendTaskMessages(queue: Queue, messages: TaskMessage[]): Promise<void> {
  for (const chunk of chunks(messages, SEND_BATCH_LIMIT)) {
    await queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
  }
}
