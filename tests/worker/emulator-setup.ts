import type { TestProject } from "vitest/node";
import { startEmulator } from "../../tools/stripe-emulator/server.ts";

/** Starts the Stripe emulator for the worker tests (deliveries are drained by the tests). */
export default async function setup(project: TestProject) {
  const port = project.config.provide.emulatorPort ?? 12199;
  const emulator = await startEmulator({ port, webhookSecret: "whsec_local_dev_only" });
  return async () => emulator.close();
}
