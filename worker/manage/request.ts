import type { Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import { hmacBase64Url, linkSecret, normalizeEmail, randomToken, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import { publicOrigin, type WorkerEnv } from "../platform/env";
import { fromHeader } from "../platform/mail/message";
import { sendMail } from "../platform/mail/send";
import { mailFrom, type Transport, transportFor } from "../platform/mail/transports";
import { renderManageEmail } from "./email";
import { LINK_TTL_MS, signManageToken } from "./links";
import { findRecurringSupports, MAX_REQUESTS_PER_HOUR, recentRequests, storeLinks } from "./store";

export type ManageRequestOutcome = "sent" | "unknown" | "rate_limited" | "failed";

/**
 * Emails a reader their single-use links, one per live recurring support, when the address
 * has any. The outcome is for logs and tests only: the reader is always told the same thing.
 */
export async function requestManageLinks(
  env: WorkerEnv,
  input: { site: SiteConfig; email: string; lang: Language; returnUrl: string },
  now: number,
  transport: Transport = transportFor(env),
): Promise<ManageRequestOutcome> {
  const db = database(env.DB);
  const secret = linkSecret(env);
  // Links start with the configured public origin, never the request's Host; without one, nothing is sent.
  const origin = publicOrigin(env);
  const email = normalizeEmail(input.email);
  const supports = await findRecurringSupports(db, input.site.id, email);
  if (supports.length === 0) return "unknown";
  const emailHash = await hmacBase64Url(secret, `manage-email:${email}`);
  if ((await recentRequests(db, input.site.id, emailHash, now - 3_600_000)) >= MAX_REQUESTS_PER_HOUR)
    return "rate_limited";
  const expiresAt = now + LINK_TTL_MS;
  const links = await Promise.all(
    supports.map(async (support) => {
      const token = await signManageToken(secret, randomToken(16), expiresAt);
      return { support, token, tokenHash: await sha256Hex(token) };
    }),
  );
  await storeLinks(
    db,
    links.map((l) => ({
      tokenHash: l.tokenHash,
      site: input.site.id,
      customerId: l.support.customerId,
      emailHash,
      returnUrl: input.returnUrl,
    })),
    now,
    Math.floor(expiresAt / 1000) * 1000,
  );
  const message = renderManageEmail({
    lang: input.lang,
    siteName: input.site.name,
    links: links.map((l) => ({
      support: l.support,
      url: manageLinkUrl(origin, l.token, input.site.id, input.lang),
    })),
  });
  const outcome = await sendMail(
    db,
    transport,
    { kind: "manage", site: input.site.id, from: fromHeader(input.site.name, mailFrom(env)), to: email, ...message },
    `manage:${links[0]?.tokenHash}`,
    now,
  );
  if (outcome.status === "failed") console.error("manage: send failed", outcome.error);
  return outcome.status === "failed" ? "failed" : "sent";
}

/** The link in the email; site and language only choose the words of the page it opens. */
export const manageLinkUrl = (origin: string, token: string, site: string, lang: string) =>
  `${origin}/manage/open/${token}?site=${encodeURIComponent(site)}&lang=${encodeURIComponent(lang)}`;
