import type { D1Migration } from "cloudflare:test";
import type { Env as AppBindings } from "../src/platform/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      TEST_MIGRATIONS: D1Migration[];
      FAKE_PROVIDER_URL: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "EnrichmentJob";
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeProviderPort: number;
  }
}
