import { resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsViewer } from "./scripts/docs-viewer.mjs";
import { isolatedWranglerConfig } from "./scripts/lib/isolated-wrangler-config.ts";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "./test/constants.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // The static assets wrangler.toml names (the /docs viewer) must exist before the Worker is configured.
  copyDocsViewer();
  // A copy of wrangler.toml outside the repository, so a developer's .dev.vars never reaches the tests.
  const configPath = isolatedWranglerConfig(import.meta.dirname, resolve(import.meta.dirname, ".wrangler/vitest"));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
                  ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
                  ALLOW_LOOPBACK_FETCH: "true",
                  FAKE_PROVIDER_URL: `http://127.0.0.1:${inject<number>("fakeProviderPort")}`,
                  DOH_URL: `http://127.0.0.1:${inject<number>("fakeProviderPort")}/doh`,
                  // The operator's default OpenAI key, pointed at the fake (an organization without its own key uses it).
                  OPENAI_API_KEY: "sk-operator-test-key",
                  OPENAI_BASE_URL: `http://127.0.0.1:${inject<number>("fakeProviderPort")}/openai/~id=operator/v1`,
                },
              },
            })),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/e2e/**", "test/browser/**", "test/node/**", "test/compat-python/**"],
            globalSetup: ["./test/global-setup.ts"],
            setupFiles: ["./test/apply-migrations.ts"],
            testTimeout: 20_000,
          },
        },
        {
          // Tools that workerd cannot run (validators compile schemas with `new Function`) check the app from Node.
          resolve: {
            alias: { "cloudflare:workers": resolve(import.meta.dirname, "test/node/cloudflare-workers-stub.ts") },
          },
          test: {
            name: "node",
            environment: "node",
            include: ["test/node/**/*.test.ts"],
            testTimeout: 20_000,
          },
        },
        // `npm run test:e2e`: starts `wrangler dev`, so it runs only when asked for.
        ...(process.env.DOSSIER_E2E === "1"
          ? [
              {
                test: {
                  name: "e2e",
                  environment: "node",
                  include: ["test/e2e/**/*.e2e.test.ts"],
                  fileParallelism: false,
                  testTimeout: 120_000,
                  hookTimeout: 180_000,
                },
              },
            ]
          : []),
        // `npm run test:compat-python`: the compatibility APIs' documented examples (Entity Enricher's Python and curl,
        // Lance's and SalesOS's curl, Instaview's and gu1's request bodies) against one real `wrangler dev`.
        ...(process.env.DOSSIER_COMPAT_PYTHON === "1"
          ? [
              {
                test: {
                  name: "compat-python",
                  environment: "node",
                  include: ["test/compat-python/**/*.test.ts"],
                  globalSetup: ["./test/compat-python/dev-server.setup.ts"],
                  fileParallelism: false,
                  testTimeout: 120_000,
                  hookTimeout: 240_000,
                },
              },
            ]
          : []),
        // `npm run test:browser`: Chromium against a real `wrangler dev`, so it too runs only when asked for.
        ...(process.env.DOSSIER_BROWSER === "1"
          ? [
              {
                test: {
                  name: "browser",
                  environment: "node",
                  include: ["test/browser/**/*.browser.test.ts"],
                  fileParallelism: false,
                  testTimeout: 120_000,
                  hookTimeout: 180_000,
                },
              },
            ]
          : []),
      ],
    },
  };
});
