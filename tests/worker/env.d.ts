// Types of the test environment: the worker's bindings plus what vitest.config.ts adds.
import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../../worker/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      STRIPE_API_BASE: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../../worker/index");
      durableNamespaces: "EventCounter";
    }
  }
}

declare module "vitest" {
  interface ProvidedContext {
    emulatorPort: number;
  }
}
