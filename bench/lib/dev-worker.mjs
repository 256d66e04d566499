/**
 * The Worker in local dev mode, as `wrangler dev` runs it (same config, bundling, workerd, local D1/KV/queues and
 * persistence), started through wrangler's `unstable_startWorker` so that the DevTools inspector can be left off.
 * With it on, wrangler's inspector proxy forwards every runtime network event to its node process, which appends
 * each one to its debug log file: that costs about as much CPU as the Worker itself under load and is not part of
 * what a deployed Worker does. `--profile` turns it back on (the profiler attaches through it).
 *
 * Usage: node bench/lib/dev-worker.mjs '<json: {configPath, port, persistDir, vars, inspectorPort|null}>'
 */
import { unstable_startWorker } from "wrangler";

const options = JSON.parse(process.argv[2] ?? "{}");
const worker = await unstable_startWorker({
  config: options.configPath,
  bindings: Object.fromEntries(Object.entries(options.vars ?? {}).map(([name, value]) => [name, { type: "plain_text", value: String(value) }])),
  dev: {
    server: { hostname: "127.0.0.1", port: options.port },
    inspector: options.inspectorPort ? { hostname: "127.0.0.1", port: options.inspectorPort } : false,
    persist: options.persistDir,
    logLevel: "warn",
    watch: false,
    liveReload: false,
  },
});
await worker.ready;
process.stdout.write(`dev worker ready on ${(await worker.url).href}\n`);

let disposing = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    if (disposing) return;
    disposing = true;
    await worker.dispose().catch(() => {});
    process.exit(0);
  });
}
