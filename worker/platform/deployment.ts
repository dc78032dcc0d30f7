import { configuredOrigin, isDevelopment, type WorkerEnv } from "./env";

/**
 * What a deployment must not run with, and the warnings staff see about it. The example values
 * are those of `.dev.vars.example` (a test keeps them equal).
 */
export const EXAMPLE_ADMIN_TOKEN = "dev-admin-token";
export const EXAMPLE_SESSION_SECRET = "dev-session-secret-change-me-0123456789";
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/**
 * Why ADMIN_TOKEN may not open the staff view here, or null when it may. Outside development a
 * token shorter than 32 characters, or the example's development token, is refused.
 */
export function adminTokenProblem(env: WorkerEnv): string | null {
  const token = env.ADMIN_TOKEN;
  if (!token || isDevelopment(env)) return null;
  if (token === EXAMPLE_ADMIN_TOKEN)
    return "ADMIN_TOKEN is the development token from .dev.vars.example. Set a long random one: npx wrangler secret put ADMIN_TOKEN";
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    return `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters. Set a long random one: npx wrangler secret put ADMIN_TOKEN`;
  return null;
}

/** Why SESSION_SECRET may not sign links and sessions here, or null when it may. */
export function sessionSecretProblem(env: WorkerEnv): string | null {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < 16) return "SESSION_SECRET is not set (at least 16 characters)";
  if (!isDevelopment(env) && secret === EXAMPLE_SESSION_SECRET)
    return "SESSION_SECRET is the development secret from .dev.vars.example. Set a long random one: npx wrangler secret put SESSION_SECRET";
  return null;
}

/** Whether the outbox may keep whole messages: only when asked for, and never in production. */
export const outboxKeepsMessages = (env: WorkerEnv) =>
  env.OUTBOX_KEEPS_MESSAGES === "on" && env.ENVIRONMENT !== "production";

/** The deployment's configuration problems, for the top of the staff dashboard. */
export function deploymentWarnings(env: WorkerEnv): string[] {
  const warnings: string[] = [];
  if (!configuredOrigin(env))
    warnings.push(
      'PUBLIC_ORIGIN is not set to this worker\'s public origin (e.g. "https://support.example.org"): no reminder, confirmation or manage email can be sent.',
    );
  if ((env.MAIL_TRANSPORT ?? "outbox") === "outbox" && !isDevelopment(env))
    warnings.push(
      outboxKeepsMessages(env)
        ? 'No email is delivered: MAIL_TRANSPORT is "outbox" and the outbox keeps whole messages (OUTBOX_KEEPS_MESSAGES), which only development and tests should do.'
        : 'No email is delivered: MAIL_TRANSPORT is "outbox". Readers cannot ask for reminders, manage links are not sent, and the outbox records only masked addresses and subjects. Set MAIL_TRANSPORT to "resend" or "cloudflare".',
    );
  const secret = sessionSecretProblem(env);
  if (secret) warnings.push(`${secret}. Staff sign-in, manage and forget-me links and the ask's thank-you need it.`);
  const token = adminTokenProblem(env);
  if (token && !(env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD)) warnings.push(token);
  if (env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD && !env.STAFF_OWNERS?.includes("@"))
    warnings.push(
      "Cloudflare Access is on but STAFF_OWNERS is empty: nobody is an owner, so nobody can give roles, and everyone Access lets in is a viewer. Set STAFF_OWNERS in wrangler.toml [vars].",
    );
  return warnings;
}

const logged = new Set<string>();

/** Logs a configuration problem once per isolate (every refusal would flood the log). */
export function logProblemOnce(problem: string): void {
  if (logged.has(problem)) return;
  logged.add(problem);
  console.error(`configuration: ${problem}`);
}
