import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Three kinds of test, one command (`npm test`):
 * - worker: inside workerd with real D1, against the Stripe emulator (started by globalSetup);
 * - unit: pure code and the widget's components in a DOM (happy-dom), plus the emulator itself;
 * - browser: the whole product in Chromium (tests/e2e), against `npm start`'s stack.
 */
// The widget's view layer, as tsconfig.json's `paths` name it (JSX compiles to `@view/jsx-runtime`).
const view = fileURLToPath(new URL("./widget/src/view/", import.meta.url));
const viewAlias = [
  { find: /^@view$/, replacement: `${view}index.ts` },
  { find: /^@view\//, replacement: view },
];

// TEST_EMULATOR_PORT lets two test runs share a machine.
const EMULATOR_PORT = Number(process.env.TEST_EMULATOR_PORT ?? 12199);

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("migrations"),
                // Not "development": the tests run with production behaviour, and these explicit
                // bindings give them what they need (the public origin, the demo page and its
                // origin, the outbox as a readable mailbox, the emulator).
                ENVIRONMENT: "test",
                PUBLIC_ORIGIN: "http://localhost:8787",
                DEMO_PAGE: "on",
                OUTBOX_KEEPS_MESSAGES: "on",
                STRIPE_API_BASE: `http://127.0.0.1:${EMULATOR_PORT}`,
                STRIPE_WEBHOOK_SECRET: "whsec_local_dev_only",
                ADMIN_TOKEN: "test-admin-token-0123456789abcdefghij",
                SESSION_SECRET: "test-session-secret-0123456789abcdef",
                // Outgoing webhooks may reach the tests' receiver on 127.0.0.1 (never in production).
                WEBHOOK_PRIVATE_HOSTS: "on",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["worker/**/*.test.ts", "tests/worker/**/*.test.ts"],
          globalSetup: ["tests/worker/emulator-setup.ts", "tests/worker/receiver-setup.ts"],
          setupFiles: ["tests/worker/apply-migrations.ts"],
          provide: { emulatorPort: EMULATOR_PORT },
          // One Stripe emulator serves every file: files take turns so their webhook queues never mix.
          fileParallelism: false,
          // Some tests make dozens of requests in a row; a busy machine must not fail them on time.
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias: viewAlias },
        test: {
          name: "unit",
          include: [
            "widget/**/*.test.{ts,tsx}",
            "tools/**/*.test.ts",
            "scripts/**/*.test.ts",
            "tests/migrations/**/*.test.ts",
          ],
          environment: "happy-dom",
        },
      },
      {
        test: {
          name: "browser",
          include: ["tests/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
