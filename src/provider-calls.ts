import { collect } from "./features";
import { createDb } from "./platform/db/client";
import { type Env, readSettings } from "./platform/env";
import { Semaphore } from "./platform/lib/semaphore";
import type { ProviderCallContext } from "./platform/queue-context";

/** `kind` of the message body → its handler, from the features' manifests (`providerCalls`). */
const handlers = collect("provider-calls kind", (f) => f.providerCalls);

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
