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
  /**
   * Development only: where the Access verifier fetches the team's keys instead of
   * https://<team>/cdn-cgi/access/certs (the browser tests sign staff identities with their own key).
   */
  ACCESS_CERTS_URL?: string;
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

/**
 * Development conveniences (the demo site accepting any localhost origin, `?now=` on the staff
 * dispatch, the emulator without STRIPE_API_BASE, the development token) are on only when
 * ENVIRONMENT is exactly "development": a missing or misspelt value behaves as production.
 */
export const isDevelopment = (env: Pick<WorkerEnv, "ENVIRONMENT">) => env.ENVIRONMENT === "development";

/** The public origin as configured (`https://support.example.org`), or null when it is missing or not an http(s) origin. */
export function configuredOrigin(env: Pick<WorkerEnv, "PUBLIC_ORIGIN">): string | null {
  const value = env.PUBLIC_ORIGIN?.trim();
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * The origin every link the worker writes into an email or a page starts with: PUBLIC_ORIGIN,
 * never the request's Host (which any client can set). Without it the worker refuses to build
 * a link rather than guess one.
 */
export function publicOrigin(env: Pick<WorkerEnv, "PUBLIC_ORIGIN">): string {
  const origin = configuredOrigin(env);
  if (!origin)
    throw new Error(
      'PUBLIC_ORIGIN is not set to an origin such as "https://support.example.org" (wrangler.toml [vars])',
    );
  return origin;
}

/** Whether /demo is served: in development, or when DEMO_PAGE = "on". */
export const demoPageEnabled = (env: Pick<WorkerEnv, "ENVIRONMENT" | "DEMO_PAGE">) =>
  isDevelopment(env) || env.DEMO_PAGE === "on";
