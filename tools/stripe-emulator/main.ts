/**
 * CLI entry: `npm run emulator`. Env: STRIPE_EMULATOR_PORT (12111), STRIPE_WEBHOOK_SECRET
 * (whsec_local_dev_only), STRIPE_EMULATOR_WEBHOOK_URL (optional), STRIPE_SECRET_KEY
 * (optional; a live key makes it refuse to start), STRIPE_EMULATOR_PUBLIC_URL (optional).
 */
import { isLiveKey, startEmulator } from "./server.ts";

const secretKey = process.env.STRIPE_SECRET_KEY || undefined;
if (isLiveKey(secretKey)) {
  console.error(
    "stripe-emulator: refusing to start: STRIPE_SECRET_KEY is a LIVE key (sk_live_/rk_live_). The emulator is only for test mode; unset it or use an sk_test_ key.",
  );
  process.exit(1);
}
const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`stripe-emulator: invalid STRIPE_EMULATOR_PORT: ${process.env.STRIPE_EMULATOR_PORT}`);
  process.exit(1);
}
const webhookUrl = process.env.STRIPE_EMULATOR_WEBHOOK_URL || undefined;
const emulator = await startEmulator({
  port,
  webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || "whsec_local_dev_only",
  webhookUrl,
  secretKey,
  publicUrl: process.env.STRIPE_EMULATOR_PUBLIC_URL || undefined,
});
console.log(
  `stripe-emulator listening on ${emulator.url} (webhooks: ${webhookUrl ?? "queued; POST /_test/deliveries/drain"})`,
);
const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
