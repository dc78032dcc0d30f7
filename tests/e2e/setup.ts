import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type Stack, startStack } from "../../tools/stack.ts";
import { launchBrowser } from "./browser";

/** Where browser tests save the screenshots we look at (gitignored). */
export const SHOTS = "tests/e2e/screenshots";

/** axe-core's source, to evaluate in a page (page.evaluate is not bound by the page's CSP). */
export const axeSource = () => readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The ids of the WCAG 2.2 AA rules axe finds broken on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource());
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string }[] }> } }
    ).axe;
    const r = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] });
    return r.violations.map((v) => v.id);
  });
}

/** The staff token of the browser tests' stack. */
export const ADMIN_TOKEN = "e2e-admin-token";

/** The stack the browser tests run against: its emulator and staff token are always there. */
export type E2eStack = Stack & { emulatorUrl: string; adminToken: string };

/**
 * The whole product as `npm start` runs it, but on free ports and a fresh database that `stop()`
 * removes: the Stripe emulator delivering signed webhooks (retried quickly) and `wrangler dev`
 * with local D1. `npm test` builds the widget before the tests, so this does not.
 */
export async function startE2eStack(): Promise<E2eStack> {
  const stack = await startStack({
    port: 0,
    inspectorPort: 0,
    emulatorPort: 0,
    persistDir: "temp",
    build: false,
    webhookSecret: "whsec_local_dev_only",
    webhookRetryDelaysMs: [200, 500, 1000],
    vars: { ADMIN_TOKEN, SESSION_SECRET: "e2e-session-secret-0123456789abcdef" },
  });
  const { emulatorUrl } = stack;
  if (!emulatorUrl) throw new Error("the stack started without its Stripe emulator");
  return { ...stack, emulatorUrl, adminToken: ADMIN_TOKEN };
}

/** Starts the whole stack and Chromium before a suite's tests and stops both after. */
export function useStackAndBrowser(): { readonly stack: E2eStack; readonly browser: Browser } {
  let stack: E2eStack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [stack, browser] = await Promise.all([startE2eStack(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  return {
    get stack() {
      if (!stack) throw new Error("the stack has not started");
      return stack;
    },
    get browser() {
      if (!browser) throw new Error("Chromium has not started");
      return browser;
    },
  };
}
