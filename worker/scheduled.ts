import { purgeLinks } from "./manage/store";
import { database } from "./platform/db";
import type { WorkerEnv } from "./platform/env";
import { purgeOutbox } from "./platform/mail/outbox";
import { type DispatchResult, dispatchDueReminders } from "./reminders/dispatch";

/** The Cron Trigger's work: send due reminders, then drop expired manage links and old outbox rows. */
export async function runScheduled(env: WorkerEnv, scheduledTime: number): Promise<DispatchResult> {
  const db = database(env.DB);
  const result = await dispatchDueReminders(env, scheduledTime);
  await purgeLinks(db, scheduledTime);
  await purgeOutbox(db, scheduledTime);
  if (result.claimed > 0) console.log("reminders dispatched", JSON.stringify(result));
  return result;
}
