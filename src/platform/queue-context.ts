import type { Db } from "./db/client";
import type { Env, Settings } from "./env";
import type { Semaphore } from "./lib/semaphore";

/** Shared by every message of one `provider-calls` consumer invocation. */
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

/** A queue's consumer: acks or retries each message of the batch itself. */
export type QueueConsumer = (batch: MessageBatch, env: Env, ctx: ExecutionContext) => Promise<void>;
