import { drainInbox } from "./ledger/inbox";
import { reconcile } from "./ledger/reconcile";
import { purgeLinks } from "./manage/store";
import { deliverDue } from "./outgoing/deliver";
import { purgeDeliveries } from "./outgoing/store";
import { database } from "./platform/db";
import type { WorkerEnv } from "./platform/env";
import { purgeOutbox } from "./platform/mail/outbox";
import { type DispatchResult, dispatchDueReminders } from "./reminders/dispatch";
import { expireUnconfirmed } from "./reminders/store";
import { refreshLiveSites } from "./settings/live";
import { FAILURE_WINDOW_MS } from "./staff/session";
import { purgeStaffAccess } from "./staff/store";
import { sendRenewalNotices } from "./supporter-mail/renewals";
import { purgeMailLinks } from "./supporter-mail/store";
import { allocateVariants } from "./variants/allocate";

/** The daily Cron Trigger's schedule (wrangler.toml `[triggers]`): reconciliation against Stripe. */
export const DAILY_CRON = "17 4 * * *";
/** Outgoing webhook deliveries (and the addresses in them) are kept this long. */
export const DELIVERIES_KEPT_MS = 30 * 86_400_000;
/** The daily run looks back three days, so a day the Cron missed is still covered. */
export const DAILY_WINDOW_MS = 3 * 86_400_000;

/**
 * The Cron Triggers' work. Every 15 minutes: first apply the Stripe events waiting in the inbox
 * (ledger/inbox.ts: those the webhook answered but could not apply, due after their backoff), then send due reminders and annual supporters' renewal
 * notices, allocate automatically allocated variants, retry outgoing webhooks that are due, then expire reminder requests nobody confirmed, drop expired manage and email links, old
 * outbox rows and webhook deliveries, expired staff sessions and finished windows of failed staff credentials. Daily (`DAILY_CRON`): check the ledger against Stripe
 * (ledger/reconcile.ts).
 */
export async function runScheduled(env: WorkerEnv, scheduledTime: number, cron = ""): Promise<DispatchResult | null> {
  await refreshLiveSites(env);
  if (cron === DAILY_CRON) {
    const report = await reconcile(env, { since: scheduledTime - DAILY_WINDOW_MS, until: scheduledTime }, "cron");
    console.log(
      "reconciliation",
      JSON.stringify({
        id: report.id,
        status: report.status,
        replayed: report.eventsReplayed,
        differences: report.differences.length,
      }),
    );
    return null;
  }
  const db = database(env.DB);
  // Money first: emails and reminders below read the ledger these events complete.
  const inbox = await drainInbox(env, scheduledTime).catch((error) => {
    console.error("stripe inbox: the drain failed", error);
    return null;
  });
  if (inbox && inbox.due > 0) console.log("stripe inbox", JSON.stringify(inbox));
  const result = await dispatchDueReminders(env, scheduledTime);
  const notices = await sendRenewalNotices(env, scheduledTime);
  // The variants' shares follow their figures; a failed run leaves the last shares in place.
  await allocateVariants(env, scheduledTime).catch((error) => console.error("variant allocation failed", error));
  const hooks = await deliverDue(env, scheduledTime).catch((error) => {
    console.error("webhook deliveries failed", error);
    return { tried: 0, succeeded: 0 };
  });
  if (hooks.tried > 0) console.log("webhook deliveries", JSON.stringify(hooks));
  if (notices.sent + notices.failed > 0) console.log("renewal notices", JSON.stringify(notices));
  await expireUnconfirmed(db, scheduledTime);
  await purgeLinks(db, scheduledTime);
  await purgeMailLinks(db, scheduledTime);
  await purgeOutbox(db, scheduledTime);
  await purgeDeliveries(db, scheduledTime - DELIVERIES_KEPT_MS);
  await purgeStaffAccess(db, scheduledTime, scheduledTime - FAILURE_WINDOW_MS);
  if (result.claimed > 0) console.log("reminders dispatched", JSON.stringify(result));
  return result;
}
