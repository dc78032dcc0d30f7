import type { Env } from "../env";
import { purgeOutbox } from "../mail/outbox";
import { purgeLinks } from "../manage/store";
import { type DispatchResult, dispatchDueReminders } from "./dispatch";

/** The Cron Trigger's work: send due reminders, then drop expired manage links and old outbox rows. */
export async function runScheduled(env: Env, scheduledTime: number): Promise<DispatchResult> {
  const result = await dispatchDueReminders(env, scheduledTime);
  await purgeLinks(env.DB, scheduledTime);
  await purgeOutbox(env.DB, scheduledTime);
  if (result.claimed > 0) console.log("reminders dispatched", JSON.stringify(result));
  return result;
}
