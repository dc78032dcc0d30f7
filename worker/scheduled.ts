import { purgeLinks } from "./manage/store";
import { database } from "./platform/db";
import type { WorkerEnv } from "./platform/env";
import { purgeOutbox } from "./platform/mail/outbox";
import { type DispatchResult, dispatchDueReminders } from "./reminders/dispatch";
import { expireUnconfirmed } from "./reminders/store";
import { FAILURE_WINDOW_MS } from "./staff/session";
import { purgeStaffAccess } from "./staff/store";

/**
 * The Cron Trigger's work: send due reminders, then expire reminder requests nobody confirmed,
 * drop expired manage links, old outbox rows, expired staff sessions and finished windows of
 * failed staff credentials.
 */
export async function runScheduled(env: WorkerEnv, scheduledTime: number): Promise<DispatchResult> {
  const db = database(env.DB);
  const result = await dispatchDueReminders(env, scheduledTime);
  await expireUnconfirmed(db, scheduledTime);
  await purgeLinks(db, scheduledTime);
  await purgeOutbox(db, scheduledTime);
  await purgeStaffAccess(db, scheduledTime, scheduledTime - FAILURE_WINDOW_MS);
  if (result.claimed > 0) console.log("reminders dispatched", JSON.stringify(result));
  return result;
}
