import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A copy of wrangler.toml in the run's temp directory, with absolute paths. Living outside the repository, it
 * keeps a developer's `.dev.vars` out of the run (wrangler reads that file next to the config), so every run
 * sees only the bench's vars. `providerBatch` changes the `provider-calls` consumer's `max_batch_size`: an
 * experiment knob (`--provider-batch N`), since the local queue hands its consumer one batch at a time and the
 * batch size therefore bounds local fan-out width. The shipped wrangler.toml is never touched.
 */
export async function benchConfig(root, dir, { providerBatch } = {}) {
  let toml = await readFile(join(root, "wrangler.toml"), "utf8");
  toml = toml.replace(/^main\s*=\s*"([^"]+)"/m, (_, p) => `main = ${JSON.stringify(join(root, p))}`);
  toml = toml.replace(/^migrations_dir\s*=\s*"([^"]+)"/m, (_, p) => `migrations_dir = ${JSON.stringify(join(root, p))}`);
  if (providerBatch) {
    const block = /(\[\[queues\.consumers\]\]\s*\nqueue\s*=\s*"provider-calls"[^[]*?max_batch_size\s*=\s*)\d+/;
    if (!block.test(toml)) throw new Error("wrangler.toml has no provider-calls consumer with max_batch_size");
    toml = toml.replace(block, `$1${providerBatch}`);
  }
  const path = join(dir, "wrangler.bench.toml");
  await writeFile(path, toml);
  return path;
}
