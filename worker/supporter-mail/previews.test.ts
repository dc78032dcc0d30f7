import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../core/languages";
import { parseSites } from "../core/site-config";
import { MAIL_KINDS } from "../platform/mail/message";
import { sites } from "../sites.config";
import { previewMail } from "./previews";
import { PREVIEW_KINDS } from "./samples";

const [demo] = parseSites(sites);
if (!demo) throw new Error("demo site missing");
const ORIGIN = "https://support.example.org";

describe("the staff view's template previews", () => {
  it("cover every kind of email the worker sends, in every language", () => {
    expect([...PREVIEW_KINDS].sort()).toEqual([...MAIL_KINDS].sort());
    for (const kind of PREVIEW_KINDS) {
      for (const lang of LANGUAGES) {
        const mail = previewMail(demo, kind, lang, ORIGIN);
        const where = `${kind} ${lang}`;
        expect(mail.subject, where).toBeTruthy();
        expect(mail.html, where).toContain(`<html lang="${lang}">`);
        for (const part of [mail.text, mail.html]) expect(part, where).not.toMatch(/undefined|NaN|\[object/);
        // Every link in a preview starts on the public origin, or is the article on the site's own origin.
        for (const url of mail.text.match(/https?:\/\/\S+/g) ?? [])
          expect(url.startsWith(ORIGIN) || url.startsWith("https://courier.example.org/"), `${where} ${url}`).toBe(
            true,
          );
        if (lang === "ru") expect(mail.text, where).toMatch(/[а-я]/);
      }
    }
  });
});
