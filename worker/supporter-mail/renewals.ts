import { firstLanguage } from "../core/languages";
import { database } from "../platform/db";
import { configuredOrigin, type WorkerEnv } from "../platform/env";
import { fromHeader } from "../platform/mail/message";
import { sendMail } from "../platform/mail/send";
import { mailFrom, type Transport, transportFor } from "../platform/mail/transports";
import { allSites } from "../platform/sites";
import { publisherOf, renderSupporterMail } from "./email";
import { manageUrl } from "./links";
import { renewalNoticeDue, renewalNoticeKey } from "./rules";
import { countNoticeAttempt, markNoticed, periodsDue } from "./store";

/** After this many failed sends a period's notice is given up (it shows as failed to staff). */
export const MAX_NOTICE_ATTEMPTS = 3;

const DAY_MS = 86_400_000;

export type RenewalNoticeResult = { due: number; sent: number; failed: number };

/**
 * Sends the renewal notices due at `now` (the 15-minute Cron Trigger): to each annual supporter
 * whose next charge falls within their site's `emails.renewalNotice.daysBefore`, once per period.
 *
 * The schedule is our own, kept from the subscription events the ledger already receives
 * (`subscription_periods`), rather than Stripe's `invoice.upcoming`: the number of days is a
 * per-site setting here (Stripe's is one per account, set in its Dashboard), the webhook endpoint
 * needs no further event type (reconciliation lists at most 20), and an upcoming invoice has no
 * id to key the email on or to replay.
 */
export async function sendRenewalNotices(
  env: WorkerEnv,
  now: number,
  transport: Transport = transportFor(env),
): Promise<RenewalNoticeResult> {
  const result: RenewalNoticeResult = { due: 0, sent: 0, failed: 0 };
  // Every link starts with the configured public origin; without one nothing is sent (notices wait).
  const origin = configuredOrigin(env);
  if (!origin) return result;
  const db = database(env.DB);
  for (const site of allSites()) {
    const settings = site.emails.renewalNotice;
    if (!settings.enabled) continue;
    try {
      for (const row of await periodsDue(db, site.id, now, now + settings.daysBefore * DAY_MS)) {
        if (!renewalNoticeDue(row, site, now)) continue;
        result.due++;
        if (!row.email) {
          await markNoticed(db, row.subscriptionId, row.periodEnd, now);
          continue;
        }
        const lang = firstLanguage(row.lang) ?? site.defaultLanguage;
        const publisher = publisherOf(site, lang);
        const rendered = renderSupporterMail(
          {
            kind: "renewal_notice",
            amount: row.amount,
            currency: row.currency,
            chargeAt: row.periodEnd,
            manageUrl: manageUrl(origin, site.id, lang),
          },
          lang,
          publisher,
        );
        const outcome = await sendMail(
          db,
          transport,
          {
            kind: "renewal_notice",
            site: site.id,
            from: fromHeader(publisher.siteName, mailFrom(env)),
            to: row.email,
            ...rendered,
          },
          renewalNoticeKey(row.subscriptionId, row.periodEnd),
          now,
        );
        if (outcome.status === "sent" || outcome.status === "already_sent") {
          await markNoticed(db, row.subscriptionId, row.periodEnd, now);
          if (outcome.status === "sent") result.sent++;
        } else if (outcome.status === "failed") {
          result.failed++;
          console.error("renewal notice: send failed", row.subscriptionId, outcome.error);
          if ((await countNoticeAttempt(db, row.subscriptionId, now)) >= MAX_NOTICE_ATTEMPTS)
            await markNoticed(db, row.subscriptionId, row.periodEnd, now);
        }
      }
    } catch (error) {
      console.error("renewal notices failed", site.id, error instanceof Error ? error.message : error);
    }
  }
  return result;
}
