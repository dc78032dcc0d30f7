/** Bindings and settings of the worker (wrangler.toml, secrets, .dev.vars). */
export type Env = {
  DB: D1Database;
  ASSETS: Fetcher;
  CHECKOUT_LIMITER: RateLimit;
  FORM_LIMITER: RateLimit;
  EVENT_COUNTER: DurableObjectNamespace;
  /** "production" in deployments; anything else enables development conveniences. */
  ENVIRONMENT: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Where the Stripe API is; set only for the local emulator (e.g. http://127.0.0.1:12111). */
  STRIPE_API_BASE?: string;
  ADMIN_TOKEN?: string;
  SESSION_SECRET?: string;
  TURNSTILE_SECRET_KEY?: string;
  TURNSTILE_SITE_KEY?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  MAIL_TRANSPORT?: string;
  MAIL_FROM?: string;
  RESEND_API_KEY?: string;
  SEND_EMAIL?: SendEmail;
};

export type AppContext = { Bindings: Env };

export const isDevelopment = (env: Env) => env.ENVIRONMENT !== "production";
