import { firstLanguage } from "../core/languages";
import { database } from "../platform/db";
import { publicOrigin, type WorkerEnv } from "../platform/env";
import { fromHeader } from "../platform/mail/message";
import { sendMail } from "../platform/mail/send";
import { mailFrom, type Transport, transportFor } from "../platform/mail/transports";
import { findSite } from "../platform/sites";
import { renderReminderEmail } from "./email";
import { forgetToken } from "./forget";
import { forgetUrl, taggedArticleUrl } from "./links";
import { claimDue, markSent, release } from "./store";

export type DispatchResult = { claimed: number; sent: number; failed: number; deferred: number };

const BATCH = 50;
const MAX_BATCHES = 10;

/**
 * Sends every reminder due at `now`, once: what the Cron Trigger and
 * `POST /admin/api/reminders/dispatch` run. Rows are claimed atomically per run, the outbox
 * key `reminder:<id>` refuses a second send, and a failed send is released for the next run.
 */
export async function dispatchDueReminders(
  env: WorkerEnv,
  now: number,
  transport: Transport = transportFor(env),
): Promise<DispatchResult> {
  // Every link starts with the configured public origin; without one nothing is sent (the rows wait).
  const origin = publicOrigin(env);
  const db = database(env.DB);
  const run = `run_${crypto.randomUUID()}`;
  const result: DispatchResult = { claimed: 0, sent: 0, failed: 0, deferred: 0 };
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const claimed = await claimDue(db, run, now, BATCH);
    result.claimed += claimed.length;
    for (const reminder of claimed) {
      const site = findSite(reminder.site);
      if (!site) {
        await release(db, reminder.id, run, now, `site ${reminder.site} is no longer configured`);
        result.failed++;
        continue;
      }
      const lang = firstLanguage(reminder.lang) ?? site.defaultLanguage;
      const token = await forgetToken(env, site.id, reminder.email);
      const email = renderReminderEmail({
        lang,
        siteName: site.name,
        articleUrl: taggedArticleUrl(reminder.pageUrl),
        forgetUrl: forgetUrl(origin, token, site.id, lang),
      });
      const outcome = await sendMail(
        db,
        transport,
        { kind: "reminder", site: site.id, from: fromHeader(site.name, mailFrom(env)), to: reminder.email, ...email },
        `reminder:${reminder.id}`,
        now,
      );
      if (outcome.status === "sent" || outcome.status === "already_sent") {
        await markSent(db, reminder.id, run, now);
        if (outcome.status === "sent") result.sent++;
      } else if (outcome.status === "busy") {
        await release(db, reminder.id, run, now, null);
        result.deferred++;
      } else {
        console.error("reminders: send failed", reminder.id, outcome.error);
        await release(db, reminder.id, run, now, outcome.error);
        result.failed++;
      }
    }
    if (claimed.length < BATCH) break;
  }
  return result;
}
