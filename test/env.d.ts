import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      FAKE_PROVIDER_URL: string;
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeProviderPort: number;
    /** The compat-python project's one `wrangler dev` (test/compat-python/dev-server.setup.ts). */
    compatDocs: { url: string; adminToken: string; fakeUrl: string; llmScenario: string; curlHome: string };
  }
}
