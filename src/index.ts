import { createApp } from "./app";
import type { Env } from "./platform/env";
import { runScheduledMaintenance } from "./scheduled";
import { handleQueueBatch } from "./queues";

export { EnrichmentJob } from "./features/jobs";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueueBatch(batch, env, ctx),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduledMaintenance(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
