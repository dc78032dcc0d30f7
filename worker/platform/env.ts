/**
 * Secrets and optional bindings: what `wrangler.toml` does not declare, so `npm run types`
 * cannot see it. Set secrets with `wrangler secret put NAME` (locally: `.dev.vars`).
 */
export type Secrets = {
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Where the Stripe API is; set only for the local emulator (e.g. http://127.0.0.1:12111). */
  STRIPE_API_BASE?: string;
  /** The Customer Portal configuration `npm run stripe:setup` made (`bpc_…`); else the account's default. */
  STRIPE_PORTAL_CONFIGURATION?: string;
  ADMIN_TOKEN?: string;
  SESSION_SECRET?: string;
  TURNSTILE_SECRET_KEY?: string;
  TURNSTILE_SITE_KEY?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  RESEND_API_KEY?: string;
  /** Only with MAIL_TRANSPORT = "cloudflare": the `[[send_email]]` binding. */
  SEND_EMAIL?: SendEmail;
};

/**
 * Everything the worker is given: bindings and vars generated from wrangler.toml
 * (`worker/worker-configuration.d.ts`, rebuilt by `npm run types`) plus the secrets above.
 */
export type WorkerEnv = Env & Secrets;

/** The Hono environment of every router. */
export type AppContext = { Bindings: WorkerEnv };

/** "production" in deployments; anything else enables development conveniences. */
export const isDevelopment = (env: WorkerEnv) => env.ENVIRONMENT !== "production";
