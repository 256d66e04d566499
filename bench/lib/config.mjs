import { join } from "node:path";
import { isolatedWranglerConfig } from "../../scripts/lib/isolated-wrangler-config.ts";

/**
 * The bench's copy of wrangler.toml, in the run's temp directory (scripts/lib/isolated-wrangler-config.ts): living
 * outside the repository, it keeps a developer's `.dev.vars` out of the run, so every run sees only the bench's vars.
 * `providerBatch` changes the `provider-calls` consumer's `max_batch_size`: an experiment knob (`--provider-batch N`),
 * since the local queue hands its consumer one batch at a time and the batch size therefore bounds local fan-out
 * width. The shipped wrangler.toml is never touched.
 */
export async function benchConfig(root, dir, { providerBatch } = {}) {
  return isolatedWranglerConfig(root, join(dir, "config"), (toml) => {
    if (!providerBatch) return toml;
    const block = /(\[\[queues\.consumers\]\]\s*\nqueue\s*=\s*"provider-calls"[^[]*?max_batch_size\s*=\s*)\d+/;
    if (!block.test(toml)) throw new Error("wrangler.toml has no provider-calls consumer with max_batch_size");
    return toml.replace(block, `$1${providerBatch}`);
  });
}
