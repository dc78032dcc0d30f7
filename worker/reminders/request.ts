import type { Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import { normalizeEmail, randomToken, sha256Hex } from "../platform/crypto";
import { database } from "../platform/db";
import { publicOrigin, type WorkerEnv } from "../platform/env";
import { fromHeader } from "../platform/mail/message";
import { sendMail } from "../platform/mail/send";
import { mailFrom, type Transport, transportFor } from "../platform/mail/transports";
import { renderConfirmationEmail } from "./email";
import { forgetHash, forgetToken } from "./forget";
import { cleanPageUrl, confirmUrl } from "./links";
import type { ReminderDelay } from "./schedule";
import { insertRequest, recentRequestsFor } from "./store";

/** At most this many reminder requests (so confirmation emails) per address a day, whatever the site. */
export const MAX_REQUESTS_PER_ADDRESS = 3;
const DAY_MS = 86_400_000;

export type ReminderRequestOutcome = "sent" | "address_limited" | "failed";

/** The hash stored for a confirmation token. */
export const confirmHash = (token: string) => sha256Hex(`confirm:${token}`);

/**
 * A reader's "Remind me later": stores the request as unconfirmed and emails one confirmation
 * link to the address. Nothing else changes until that link is used, so a request made for a
 * stranger's address sends them one email at most (and three a day at most) and never touches
 * their reminder. The outcome is for logs and tests only: the reader is always told the same.
 */
export async function requestReminder(
  env: WorkerEnv,
  input: { site: SiteConfig; email: string; lang: Language; when: ReminderDelay; pageUrl: string },
  now: number,
  transport: Transport = transportFor(env),
): Promise<ReminderRequestOutcome> {
  const origin = publicOrigin(env);
  const db = database(env.DB);
  const email = normalizeEmail(input.email);
  if ((await recentRequestsFor(db, email, now - DAY_MS)) >= MAX_REQUESTS_PER_ADDRESS) return "address_limited";
  const token = randomToken(32);
  const id = await insertRequest(db, {
    site: input.site.id,
    email,
    lang: input.lang,
    remindIn: input.when,
    pageUrl: cleanPageUrl(input.pageUrl),
    forgetHash: await forgetHash(await forgetToken(env, input.site.id, email)),
    confirmHash: await confirmHash(token),
    now,
  });
  const message = renderConfirmationEmail({
    lang: input.lang,
    siteName: input.site.name,
    when: input.when,
    confirmUrl: confirmUrl(origin, token, input.site.id, input.lang),
  });
  const outcome = await sendMail(
    db,
    transport,
    {
      kind: "confirmation",
      site: input.site.id,
      from: fromHeader(input.site.name, mailFrom(env)),
      to: email,
      ...message,
    },
    `confirmation:${id}`,
    now,
  );
  if (outcome.status === "failed") console.error("reminders: confirmation email failed", id, outcome.error);
  return outcome.status === "failed" ? "failed" : "sent";
}
