// Types of the test environment: the worker's bindings (generated) and secrets, plus what vitest.config.ts adds.
import type { D1Migration } from "cloudflare:test";
import type { Secrets } from "../../worker/platform/env";

declare global {
  namespace Cloudflare {
    interface Env extends Secrets {
      TEST_MIGRATIONS: D1Migration[];
      STRIPE_API_BASE: string;
    }
  }
}

declare module "vitest" {
  interface ProvidedContext {
    emulatorPort: number;
  }
}
