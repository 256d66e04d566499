import { type Db, createDb } from "./platform/db/client";
import { type Env, type Settings, readSettings } from "./platform/env";
import { runJobTasks } from "./features/jobs/integration-task/run-tasks";
import { Semaphore } from "./platform/lib/semaphore";
import { runContactEnrichments } from "./features/contact-enrichment/task.queue";

/** Shared by every message of one consumer invocation. */
export interface ProviderCallContext {
  env: Env;
  settings: Settings;
  db: Db;
  /**
   * Production lets one invocation hold only a few outbound connections at once (MAX_CONNECTIONS_PER_INVOCATION),
   * so every fetch of every message in the batch goes through this one semaphore. Width comes from the queue's
   * max_concurrency and batch size, not from here.
   */
  connections: Semaphore;
}

/** Acks or retries each of its messages itself; throwing means it could not, and its messages are retried. */
export type ProviderCallHandler = (messages: Message<unknown>[], context: ProviderCallContext) => Promise<void>;

/**
 * `kind` of the message body → its handler. Contact enrichment plugs in here with one line:
 * `contact_enrichment: runContactEnrichments,`
 */
const handlers: Record<string, ProviderCallHandler> = {
  job_task: runJobTasks,
  contact_enrichment: runContactEnrichments,
};

const kindOf = (body: unknown) =>
  typeof body === "object" && body !== null && "kind" in body && typeof body.kind === "string" ? body.kind : "";

export async function consumeProviderCalls(batch: MessageBatch, env: Env): Promise<void> {
  const settings = readSettings(env);
  const context: ProviderCallContext = { env, settings, db: createDb(env.DB), connections: new Semaphore(settings.MAX_CONNECTIONS_PER_INVOCATION) };
  const byKind = new Map<string, Message<unknown>[]>();
  for (const message of batch.messages) {
    const kind = kindOf(message.body);
    byKind.set(kind, [...(byKind.get(kind) ?? []), message]);
  }
  await Promise.all(
    [...byKind].map(async ([kind, messages]) => {
      const handler = handlers[kind];
      if (!handler) {
        // A body nobody can handle would fail the same way on every retry.
        console.error(JSON.stringify({ level: "error", message: "provider-calls message of unknown kind dropped", kind, count: messages.length }));
        for (const m of messages) m.ack();
        return;
      }
      try {
        await handler(messages, context);
      } catch (error) {
        console.error(JSON.stringify({ level: "error", message: "provider-calls handler failed", kind, error: String(error) }));
        for (const m of messages) m.retry({ delaySeconds: 10 });
      }
    }),
  );
}
