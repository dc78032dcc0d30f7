import type { Language } from "../core/languages";
import { longDate } from "../core/self-service";
import type { SiteConfig } from "../core/site-config";
import { renderChangeEmail } from "../manage/change-email";
import { renderManageEmail } from "../manage/email";
import { manageLinkUrl } from "../manage/request";
import { perPeriod } from "../manage/support-pages";
import { renderConfirmationEmail, renderReminderEmail } from "../reminders/email";
import { confirmUrl, forgetUrl, taggedArticleUrl } from "../reminders/links";
import { publisherOf, type RenderedMail, renderSupporterMail } from "./email";
import { type PreviewKind, SUPPORTER_KINDS, type SupporterKind, sampleMail } from "./samples";

const SAMPLE_TOKEN = "sample0000000000000000000000000000000000000";
const SAMPLE_DATE = Date.UTC(2026, 5, 14, 9, 30);

const isSupporterKind = (kind: PreviewKind): kind is SupporterKind =>
  (SUPPORTER_KINDS as readonly string[]).includes(kind);

/**
 * One template rendered with made-up data, as the staff view previews it: the same renderer the
 * worker sends with, the site's own name and settings, links on the public origin. Pure.
 */
export function previewMail(site: SiteConfig, kind: PreviewKind, lang: Language, origin: string): RenderedMail {
  if (isSupporterKind(kind))
    return renderSupporterMail(sampleMail(kind, site, lang, origin), lang, publisherOf(site, lang));
  const currency = site.defaultCurrency;
  const monthly = site.currencies[currency]?.defaultAmount.monthly ?? 1000;
  const article = `${new URL(site.allowedOrigins[0] ?? origin).origin}/news/council-votes-to-buy-ferry-terminal`;
  switch (kind) {
    case "confirmation":
      return renderConfirmationEmail({
        lang,
        siteName: site.name,
        when: "next_week",
        confirmUrl: confirmUrl(origin, SAMPLE_TOKEN, site.id, lang),
      });
    case "reminder":
      return renderReminderEmail({
        lang,
        siteName: site.name,
        articleUrl: taggedArticleUrl(article),
        forgetUrl: forgetUrl(origin, SAMPLE_TOKEN, site.id, lang),
      });
    case "manage":
      return renderManageEmail({
        lang,
        siteName: site.name,
        links: [
          {
            support: { customerId: "cus_sample", frequency: "monthly", amount: monthly, currency, status: "active" },
            url: manageLinkUrl(origin, SAMPLE_TOKEN, site.id, lang),
          },
        ],
      });
    case "change":
      return renderChangeEmail({
        lang,
        siteName: site.name,
        kind: "amount",
        facts: {
          amount: perPeriod({ currency, frequency: "monthly" }, monthly, lang),
          next: longDate(SAMPLE_DATE, lang),
          resumes: null,
          ends: null,
        },
        manageUrl: `${origin}/manage?${new URLSearchParams({ site: site.id, lang })}`,
      });
  }
}
