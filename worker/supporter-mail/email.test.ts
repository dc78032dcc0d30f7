import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../core/languages";
import { parseSites } from "../core/site-config";
import { sites } from "../sites.config";
import { mailMoney, publisherOf, renderSupporterMail } from "./email";
import { SUPPORTER_KINDS, sampleMail } from "./samples";

const [demo] = parseSites(sites);
if (!demo) throw new Error("demo site missing");
const ORIGIN = "https://support.example.org";
/** Intl writes non-breaking spaces in some languages' amounts and dates. */
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("the supporters' emails", () => {
  it("every kind renders in every language with a subject, a text part, the publisher and no gaps", () => {
    for (const kind of SUPPORTER_KINDS) {
      for (const lang of LANGUAGES) {
        const mail = renderSupporterMail(sampleMail(kind, demo, lang, ORIGIN), lang, publisherOf(demo, lang));
        const where = `${kind} ${lang}`;
        expect(mail.subject, where).toBeTruthy();
        for (const part of [mail.text, mail.html]) {
          expect(part, where).not.toMatch(/undefined|null|NaN|\[object/);
          expect(part, where).toContain("Harbour Courier Media Ltd");
          expect(part, where).toContain("Port Ellen, PA42 7AB");
        }
        expect(mail.html, where).toContain(`<html lang="${lang}">`);
        expect(mail.headers, where).toEqual({ "Reply-To": "members@courier.example.org" });
        if (kind !== "checkout_recovery") expect(mail.text, where).toContain(`${ORIGIN}/manage`);
        if (lang === "ru") expect(mail.text, where).toMatch(/[а-я]/);
      }
    }
  });

  it("a receipt says amount, currency, date, kind, what it supports, reference, legal note and the manage link", () => {
    const mail = renderSupporterMail(sampleMail("receipt", demo, "en", ORIGIN), "en", publisherOf(demo, "en"));
    expect(mail.subject).toBe("Thank you: your receipt from The Harbour Courier");
    expect(mail.text).toContain("Amount: $10.00 (USD)");
    expect(mail.text).toContain("Date: 14 May 2026");
    expect(mail.text).toContain("Type: Monthly support");
    expect(mail.text).toContain("Supports: independent reporting on the coast");
    expect(mail.text).toContain("Reference: RS-8F3A-0007");
    expect(mail.text).toContain("Next payment: 14 June 2026");
    expect(mail.text).toContain("you received no goods or services in return");
    expect(mail.text).toContain(`Manage your support: ${ORIGIN}/manage?site=demo&lang=en`);
    expect(mail.html).toContain(`href="${ORIGIN}/manage?site=demo&amp;lang=en"`);
    const ru = renderSupporterMail(sampleMail("receipt", demo, "ru", ORIGIN), "ru", publisherOf(demo, "ru"));
    expect(plainSpaces(ru.text)).toContain("Сумма: 10,00 $ (USD)");
    expect(plainSpaces(ru.text)).toContain("14 мая 2026");
    expect(ru.text).toContain("пожертвование, а не покупка");
  });

  it("money keeps its currency's decimals, never mixed", () => {
    expect(mailMoney(5000, "JPY", "en")).toBe("¥5,000 (JPY)");
    expect(mailMoney(1050, "EUR", "en")).toBe("€10.50 (EUR)");
    expect(plainSpaces(mailMoney(1000, "GBP", "ru"))).toBe("10,00 £ (GBP)");
  });

  it("a publisher's words are escaped in the HTML part", () => {
    const hostile = structuredClone(demo);
    hostile.emails.legalName = `<b>"Tom" & 'Jerry'</b>`;
    hostile.emails.fromName = "<script>x</script>";
    const mail = renderSupporterMail(sampleMail("statement", hostile, "en", ORIGIN), "en", publisherOf(hostile, "en"));
    expect(mail.html).not.toContain("<b>");
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
  });

  it("a site without `emails` writes from its name, thanks for its journalism and sends no Reply-To", () => {
    const [plain] = parseSites([{ ...structuredClone(sites[0]), emails: undefined }]);
    if (!plain) throw new Error("no site");
    const mail = renderSupporterMail(sampleMail("receipt", plain, "en", ORIGIN), "en", publisherOf(plain, "en"));
    expect(mail.text).toContain("Supports: the journalism of The Harbour Courier");
    expect(mail.headers).toEqual({});
  });
});
