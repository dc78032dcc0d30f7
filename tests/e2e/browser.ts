import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's Chromium lives (`apt-get install chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Whether browser tests can run here. In CI they must: a missing Chromium is an error there. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}; CI must run the browser tests.`);
  console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium).`);
  return false;
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
