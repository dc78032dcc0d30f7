import type { Language } from "../core/languages";
import type { SiteConfig } from "../core/site-config";
import type { MailKind } from "../platform/mail/message";
import type { SupporterMail } from "./email";
import { cardUrl, giveUrl, manageUrl, statementUrl } from "./links";

/** The emails after Stripe's events that `sampleMail` makes sample data for. */
export const SUPPORTER_KINDS = [
  "receipt",
  "payment_failed",
  "payment_failed_again",
  "payment_recovered",
  "renewal_notice",
  "checkout_recovery",
  "statement",
] as const;
export type SupporterKind = (typeof SUPPORTER_KINDS)[number];

/**
 * Every template the worker sends, in the order a reader's year may bring them: the staff view
 * previews each of them.
 */
export const PREVIEW_KINDS = [
  "confirmation",
  "reminder",
  ...SUPPORTER_KINDS.slice(0, 6),
  "manage",
  "change",
  "statement",
] as const satisfies readonly MailKind[];
export type PreviewKind = (typeof PREVIEW_KINDS)[number];

/** What staff call each kind, and what causes it. */
export const KIND_INFO: Record<string, { label: string; cause: string }> = {
  receipt: { label: "Receipt and thank-you", cause: "every successful payment, first and renewals" },
  payment_failed: { label: "Failed renewal", cause: "a renewal's first failed try (invoice.payment_failed)" },
  payment_failed_again: { label: "Failed renewal, second email", cause: "the failure that leaves Stripe one try" },
  payment_recovered: { label: "Payment recovered", cause: "a renewal paid after failed tries; ends the sequence" },
  renewal_notice: { label: "Annual renewal notice", cause: "days before an annual supporter is charged again" },
  checkout_recovery: { label: "Abandoned checkout", cause: "an expired checkout whose reader agreed to be contacted" },
  statement: { label: "Yearly statement", cause: "a supporter's request at /manage/statement" },
  reminder: { label: "Reminder", cause: "the date a reader picked with “Remind me later”" },
  confirmation: { label: "Reminder confirmation", cause: "a “Remind me later” request" },
  manage: { label: "Manage link", cause: "a request at /manage" },
  change: { label: "Change confirmed", cause: "a supporter's change at /manage (amount, schedule, pause, cancel)" },
};

const SAMPLE_TOKEN = "sample0000000000000000.1900000000.sample0000000000000000000000000000000000000";
const DAY = 86_400_000;

/** Made-up data for one kind's preview, in the site's first currency, dated in 2026. Pure. */
export function sampleMail(kind: SupporterKind, site: SiteConfig, lang: Language, origin: string): SupporterMail {
  const currency = site.defaultCurrency;
  const settings = site.currencies[currency];
  const monthly = settings?.defaultAmount.monthly ?? 1000;
  const annual = settings?.defaultAmount.annual ?? 10000;
  const at = Date.UTC(2026, 4, 14, 9, 30);
  const manage = manageUrl(origin, site.id, lang);
  switch (kind) {
    case "receipt":
    case "payment_recovered":
      return {
        kind,
        frequency: "monthly",
        amount: monthly,
        currency,
        paidAt: at,
        reference: "RS-8F3A-0007",
        nextChargeAt: at + 31 * DAY,
        manageUrl: manage,
        statementUrl: statementUrl(origin, site.id, lang),
      };
    case "payment_failed":
    case "payment_failed_again":
      return {
        kind,
        frequency: "monthly",
        amount: monthly,
        currency,
        nextAttemptAt: at + (kind === "payment_failed" ? 3 : 2) * DAY,
        cardUrl: cardUrl(origin, SAMPLE_TOKEN, site.id, lang),
        cardLinkExpiresAt: at + 14 * DAY,
        manageUrl: manage,
      };
    case "renewal_notice":
      return { kind, amount: annual, currency, chargeAt: at + 7 * DAY, manageUrl: manage };
    case "checkout_recovery":
      return {
        kind,
        frequency: "monthly",
        amount: monthly,
        currency,
        giveUrl: giveUrl(origin, SAMPLE_TOKEN, site.id, lang),
        linkExpiresAt: at + 7 * DAY,
      };
    case "statement":
      return {
        kind,
        year: 2025,
        entries: [
          {
            at: Date.UTC(2025, 0, 14),
            type: "payment",
            frequency: "monthly",
            amount: monthly,
            currency,
            reference: "RS-8F3A-0001",
          },
          {
            at: Date.UTC(2025, 1, 14),
            type: "payment",
            frequency: "monthly",
            amount: monthly,
            currency,
            reference: "RS-8F3A-0002",
          },
          {
            at: Date.UTC(2025, 5, 2),
            type: "payment",
            frequency: "once",
            amount: 2500,
            currency,
            reference: "pi_3QxSample",
          },
          {
            at: Date.UTC(2025, 5, 9),
            type: "refund",
            frequency: "once",
            amount: 2500,
            currency,
            reference: "re_3QxSample",
          },
        ],
        totals: [{ currency, payments: 3, paid: 2 * monthly + 2500, refunded: 2500 }],
        manageUrl: manage,
      };
  }
}
