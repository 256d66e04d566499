import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readD1Migrations } from "@cloudflare/vitest-plugin";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "../constants";
import { startFakeProvider } from "../fake-provider/server";

const root = resolve(import.meta.dirname, "../..");
const configPath = join(root, "wrangler.toml");

export interface LiveWorker {
  url: string;
  fakeUrl: string;
  stop(): Promise<void>;
}

/**
 * The real Worker as `wrangler dev` runs it (same bundle, workerd, local D1, KV, Durable Objects and queues),
 * started through wrangler's API in a throwaway persistence directory with the migrations applied, and the fake
 * provider on 127.0.0.1 beside it. Takes a few seconds; nothing leaves 127.0.0.1.
 */
export async function startLiveWorker(): Promise<LiveWorker> {
  // Keeps miniflare from fetching the Request.cf template and wrangler from sending metrics.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  process.env.WRANGLER_LOG ??= "error";
  const { getPlatformProxy, unstable_readConfig, unstable_startWorker } = await import("wrangler");
  const fake = await startFakeProvider();
  const fakeUrl = `http://127.0.0.1:${fake.port}`;
  const persist = await mkdtemp(join(tmpdir(), "dossier-contract-"));
  try {
    // Only the database, so the proxy does not warn about the Durable Object it cannot host. `wrangler dev
    // --persist-to X` keeps its state under X/v3; the proxy takes that directory itself.
    const { compatibility_date, d1_databases } = unstable_readConfig({ config: configPath });
    const dbOnly = join(persist, "wrangler.json");
    await writeFile(dbOnly, JSON.stringify({ name: "dossier-migrations", compatibility_date, d1_databases }));
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: dbOnly, persist: { path: join(persist, "v3") } });
    for (const migration of await readD1Migrations(join(root, "migrations"))) {
      await proxy.env.DB.batch(migration.queries.map((query) => proxy.env.DB.prepare(query)));
    }
    await proxy.dispose();
    const vars = {
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      ALLOW_LOOPBACK_FETCH: "true",
      DOH_URL: `${fakeUrl}/doh`,
      RATE_LIMIT_PER_MINUTE: "1000000",
    };
    const worker = await unstable_startWorker({
      config: configPath,
      bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text" as const, value }])),
      dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist, logLevel: "error", watch: false, liveReload: false },
    });
    await worker.ready;
    const url = (await worker.url).origin;
    return {
      url,
      fakeUrl,
      async stop() {
        await worker.dispose();
        await fake.close();
        await rm(persist, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await fake.close();
    await rm(persist, { recursive: true, force: true });
    throw error;
  }
}
