import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./browser";
import { SHOTS, useStackAndBrowser } from "./setup";

/**
 * Reminders as a reader and staff would walk them: "Remind me later" on the demo article, an email
 * address, the ask asking the reader to check their inbox, the confirmation email's link used in
 * Chromium (nothing is sent before), a dispatch with a future `now`, the reminder in the outbox,
 * and its links used in Chromium.
 */

describe.skipIf(!chromiumAvailable())("Remind me later by email, in Chromium", () => {
  const e2e = useStackAndBrowser();

  const staff = (path: string, init: RequestInit = {}) =>
    fetch(`${e2e.stack.base}${path}`, { ...init, headers: { authorization: `Bearer ${e2e.stack.adminToken}` } });

  it("asks for a reminder, confirms it by email, receives one email after dispatch, follows it back and forgets the address", async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = page.locator('reader-support[data-placement="inline"]');
    await ask.getByRole("button", { name: "Remind me later" }).click();
    await ask.getByLabel("Email address").fill("later@example.org");
    const posted = page.waitForResponse((r) => r.url().endsWith("/api/reminders"));
    await ask.getByRole("button", { name: "Email me a reminder" }).click();
    const response = await posted;
    expect(response.status()).toBe(202);
    const { sendOn } = (await response.json()) as { sendOn: string };
    await expect
      .poll(() => ask.getByText(/^Almost done: check your inbox and confirm/).isVisible(), { timeout: 10_000 })
      .toBe(true);
    await ask.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/reminder-check-inbox.png` });

    // One confirmation email, on the worker's public origin; no reminder goes out before it is used.
    const confirmations = async () =>
      (
        (await (await staff("/admin/api/outbox?site=demo&kind=confirmation")).json()) as {
          messages: { to: string; text: string }[];
        }
      ).messages;
    await expect.poll(async () => (await confirmations()).length, { timeout: 10_000 }).toBe(1);
    const [confirmation] = await confirmations();
    expect(confirmation?.to).toBe("later@example.org");
    const confirmLink = /(http:\/\/\S+\/r\/confirm\/\S+)/.exec(confirmation?.text ?? "")?.[1] ?? "";
    expect(confirmLink.startsWith(`${e2e.stack.base}/r/confirm/`)).toBe(true);
    const future = new Date(Date.parse(`${sendOn}T23:59:59Z`) + 86_400_000).toISOString();
    const unconfirmed = (await (
      await staff(`/admin/api/reminders/dispatch?now=${encodeURIComponent(future)}`, { method: "POST" })
    ).json()) as { sent: number };
    expect(unconfirmed.sent).toBe(0);

    // The reader opens the link (a page with a button: mail scanners confirm nothing) and confirms.
    const inbox = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const confirmPage = await inbox.newPage();
    await confirmPage.goto(confirmLink);
    await confirmPage.getByRole("button", { name: "Confirm my reminder" }).click();
    await expect
      .poll(() => confirmPage.getByRole("heading", { level: 1 }).textContent())
      .toBe("Your reminder is confirmed");
    await confirmPage.screenshot({ path: `${SHOTS}/reminder-confirmed.png` });
    await inbox.close();

    // Nothing goes out today; a dispatch on the due date sends exactly one email.
    const today = (await (await staff("/admin/api/reminders/dispatch", { method: "POST" })).json()) as { sent: number };
    expect(today.sent).toBe(0);
    const due = (await (
      await staff(`/admin/api/reminders/dispatch?now=${encodeURIComponent(future)}`, { method: "POST" })
    ).json()) as { sent: number };
    expect(due.sent).toBe(1);
    const again = (await (
      await staff(`/admin/api/reminders/dispatch?now=${encodeURIComponent(future)}`, { method: "POST" })
    ).json()) as { sent: number };
    expect(again.sent).toBe(0);

    const { messages } = (await (await staff("/admin/api/outbox?site=demo&kind=reminder")).json()) as {
      messages: { to: string; text: string; headers: Record<string, string> }[];
    };
    expect(messages).toHaveLength(1);
    const [mail] = messages;
    expect(mail?.to).toBe("later@example.org");
    expect(mail?.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const article = /(http:\/\/\S+\/demo\S*rs_campaign=reminder\S*)/.exec(mail?.text ?? "")?.[1] ?? "";
    const forget = /(http:\/\/\S+\/r\/forget\/\S+)/.exec(mail?.text ?? "")?.[1] ?? "";
    expect(article).toBeTruthy();
    expect(forget).toBeTruthy();

    // The article link opens the article; the widget takes the campaign and tidies the address bar.
    const reader = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const articlePage = await reader.newPage();
    await articlePage.goto(article);
    await expect
      .poll(() => new URL(articlePage.url()).searchParams.has("rs_campaign"), { timeout: 10_000 })
      .toBe(false);

    // The forget-me link: GET shows a confirmation (mail scanners change nothing), the button forgets.
    const forgetPage = await reader.newPage();
    await forgetPage.goto(forget);
    await forgetPage.screenshot({ path: `${SHOTS}/forget-confirm.png` });
    await forgetPage.getByRole("button", { name: "Forget my address" }).click();
    await expect
      .poll(() => forgetPage.getByRole("heading", { level: 1 }).textContent())
      .toBe("Your address is forgotten");
    await forgetPage.screenshot({ path: `${SHOTS}/forget-done.png` });

    const stats = (await (await staff("/admin/api/reminders/stats?site=demo")).json()) as Record<string, number>;
    expect(stats).toMatchObject({ requested: 1, confirmed: 1, sent: 1, pending: 0 });
    await reader.close();
    await context.close();
  });
});
