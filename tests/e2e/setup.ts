import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser } from "./browser";
import { type Stack, startStack } from "./stack";

/** Where browser tests save the screenshots we look at (gitignored). */
export const SHOTS = "tests/e2e/screenshots";

/** axe-core's source, to evaluate in a page (page.evaluate is not bound by the page's CSP). */
export const axeSource = () => readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Starts the whole stack and Chromium before a suite's tests and stops both after. */
export function useStackAndBrowser(): { readonly stack: Stack; readonly browser: Browser } {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
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
