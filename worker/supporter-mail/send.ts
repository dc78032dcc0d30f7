import { firstLanguage, type Language } from "../core/languages";
import type { LedgerEvent } from "../core/ledger";
import type { SiteConfig } from "../core/site-config";
import { resolveReturnUrl } from "../manage/return-url";
import { linkSecret } from "../platform/crypto";
import { type Database, database } from "../platform/db";
import { publicOrigin, type WorkerEnv } from "../platform/env";
import { fromHeader, type MailKind } from "../platform/mail/message";
import { type SendOutcome, sendMail } from "../platform/mail/send";
import { mailFrom, type Transport, transportFor } from "../platform/mail/transports";
import { demoOrigins, findSite } from "../platform/sites";
import { publisherOf, renderSupporterMail, type SupporterMail } from "./email";
import {
  CARD_LINK_TTL_MS,
  cardUrl,
  giveUrl,
  type LinkPurpose,
  mailLinkHash,
  manageUrl,
  RECOVERY_LINK_TTL_MS,
  signMailToken,
  statementUrl,
} from "./links";
import { decide, type MailTrigger, outboxKeys, outboxKeysOf, triggerOf } from "./rules";
import {
  insertLink,
  type MailFacts,
  type MailFactsAsk,
  mailFacts,
  mailFactsQuery,
  type StoredPledge,
  upsertPeriod,
} from "./store";

/** What happened to an event's email: for logs and tests. */
export type EventMailOutcome =
  | { status: "none"; reason: string }
  | { status: SendOutcome["status"]; kind: MailKind; key: string };

/**
 * The emails a Stripe event causes, after the ledger has applied it (ledger/process-event.ts): a
 * receipt, a failed renewal's first or second email, the thank-you of a recovered payment, an
 * abandoned checkout's email; subscription events move the renewal schedule. Each email is sent
 * once per key (a duplicate delivery, or a replay, finds it sent). Never throws: the ledger is
 * already written, and an email that cannot go is logged and left in the outbox as failed.
 * `facts`: what D1 said at the end of the ledger's batch (`mailReads`), else it is read here.
 */
export async function mailAfterEvent(
  env: WorkerEnv,
  event: LedgerEvent,
  { now = Date.now(), transport, facts }: { now?: number; transport?: Transport; facts?: MailFacts } = {},
): Promise<EventMailOutcome> {
  try {
    return await eventMail(env, event, now, transport ?? transportFor(env), facts);
  } catch (error) {
    console.error("supporter mail failed", event.type, event.id, error instanceof Error ? error.message : error);
    return { status: "none", reason: "error" };
  }
}

/** What an email trigger asks of D1 to decide (the renewal schedule's events ask nothing). */
const factsAsk = (trigger: Exclude<MailTrigger, { type: "subscription" }>): MailFactsAsk => ({
  pledgeId: trigger.pledgeId,
  keys: outboxKeysOf(trigger),
  paymentId: trigger.type === "payment_failed" ? trigger.invoiceId : null,
});

/**
 * The reads `mailAfterEvent` makes for `event`, as statements to put at the end of the ledger's
 * own batch (one D1 round trip for both), and how to read their results; null when it reads
 * nothing. Reads only: nothing the email does can fail the ledger's batch.
 */
export function mailReads(db: Database, event: LedgerEvent) {
  const trigger = triggerOf(event);
  return trigger && trigger.type !== "subscription" ? mailFactsQuery(db, factsAsk(trigger)) : null;
}

async function eventMail(env: WorkerEnv, event: LedgerEvent, now: number, transport: Transport, known?: MailFacts) {
  const trigger = triggerOf(event);
  if (!trigger) return none("no email for this event");
  const db = database(env.DB);
  if (trigger.type === "subscription") {
    await upsertPeriod(db, trigger, now);
    return none("the renewal schedule moved");
  }
  const failed = trigger.type === "payment_failed";
  const facts = known ?? (await mailFacts(db, factsAsk(trigger)));
  const { pledge } = facts;
  const site = findSite(pledge?.site);
  const decision = decide(
    trigger,
    {
      pledge: pledge ?? null,
      site,
      ...(failed
        ? {
            invoicePaid: facts.paymentRecorded,
            // Sent, or being sent right now: either way the first email must not follow it.
            secondSent: ["sent", "sending"].includes(
              facts.outbox.get(outboxKeys.secondFailure(trigger.invoiceId)) ?? "",
            ),
          }
        : {}),
    },
    now,
  );
  if (!decision.send || !pledge || !site) return none(decision.send ? "no pledge" : decision.reason);
  // Sent before (a duplicate delivery): nothing to build, no new link.
  if (facts.outbox.get(decision.key) === "sent")
    return { status: "already_sent", kind: decision.kind, key: decision.key } as const;
  const lang = firstLanguage(pledge.lang) ?? site.defaultLanguage;
  const origin = publicOrigin(env);
  const mail = await compose(env, { trigger, pledge, site, lang, origin, kind: decision.kind, now });
  if (!mail) return none("nothing to link to");
  const rendered = renderSupporterMail(mail, lang, publisherOf(site, lang));
  const outcome = await sendMail(
    db,
    transport,
    {
      kind: decision.kind,
      site: site.id,
      from: fromHeader(publisherOf(site, lang).siteName, mailFrom(env)),
      to: decision.to,
      ...rendered,
    },
    decision.key,
    now,
  );
  if (outcome.status === "failed") console.error("supporter mail: send failed", decision.kind, outcome.error);
  return { status: outcome.status, kind: decision.kind, key: decision.key } as const;
}

const none = (reason: string) => ({ status: "none", reason }) as const;

/** The email's content: amounts and dates from the event, links made and stored as needed. */
async function compose(
  env: WorkerEnv,
  c: {
    trigger: Exclude<MailTrigger, { type: "subscription" }>;
    pledge: StoredPledge;
    site: SiteConfig;
    lang: Language;
    origin: string;
    kind: MailKind;
    now: number;
  },
): Promise<SupporterMail | null> {
  const { trigger: t, pledge, site, lang, origin, now } = c;
  const manage = manageUrl(origin, site.id, lang);
  const link = async (purpose: LinkPurpose, ttl: number, row: { customerId: string | null; ref: string }) => {
    const expiresAt = now + ttl;
    const token = await signMailToken(linkSecret(env), purpose, expiresAt);
    await insertLink(database(env.DB), {
      tokenHash: await mailLinkHash(token),
      kind: purpose === "card" ? "card_update" : "checkout_recovery",
      site: site.id,
      pledgeId: pledge.id,
      customerId: row.customerId,
      ref: row.ref,
      returnUrl: resolveReturnUrl(site, pledge.pageUrl, demoOrigins(env)),
      createdAt: now,
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
    });
    return { token, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
  };
  switch (t.type) {
    case "payment":
      return {
        kind: c.kind === "payment_recovered" ? "payment_recovered" : "receipt",
        frequency: pledge.frequency,
        amount: t.amount,
        currency: t.currency,
        paidAt: t.paidAt,
        reference: t.reference,
        nextChargeAt: t.nextChargeAt,
        manageUrl: manage,
        statementUrl: statementUrl(origin, site.id, lang),
      };
    case "payment_failed": {
      const customerId = t.customerId ?? pledge.customerId;
      if (!customerId) return null;
      const card = await link("card", CARD_LINK_TTL_MS, { customerId, ref: t.invoiceId });
      return {
        kind: c.kind === "payment_failed_again" ? "payment_failed_again" : "payment_failed",
        frequency: pledge.frequency,
        amount: t.amount,
        currency: t.currency,
        nextAttemptAt: t.nextAttemptAt,
        cardUrl: cardUrl(origin, card.token, site.id, lang),
        cardLinkExpiresAt: card.expiresAt,
        manageUrl: manage,
      };
    }
    case "checkout_expired": {
      const give = await link("give", RECOVERY_LINK_TTL_MS, { customerId: null, ref: t.sessionId });
      return {
        kind: "checkout_recovery",
        frequency: pledge.frequency,
        amount: pledge.amount + pledge.feeAmount,
        currency: pledge.currency,
        giveUrl: giveUrl(origin, give.token, site.id, lang),
        linkExpiresAt: give.expiresAt,
      };
    }
  }
}
