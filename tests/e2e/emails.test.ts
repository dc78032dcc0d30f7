import { describe, expect, it } from "vitest";
import { PREVIEW_KINDS } from "../../worker/supporter-mail/samples";
import { chromiumAvailable } from "./browser";
import { axeViolations, SHOTS, useStackAndBrowser } from "./setup";

/**
 * A failed renewal, as a supporter lives it: a monthly pledge through the demo, the renewal fails
 * in the emulator, the email's link opens Stripe's card update (the emulator's portal flow), the
 * card is updated, Stripe's next retry goes through with it, and the thank-you arrives. Then the
 * staff page's template previews, screenshotted in each language for people to look at.
 */

type Message = { to: string; subject: string; text: string; kind: string };

describe.skipIf(!chromiumAvailable())("a failed renewal's email, in Chromium", () => {
  const e2e = useStackAndBrowser();

  const staff = async <T>(path: string): Promise<T> =>
    (await (
      await fetch(`${e2e.stack.base}${path}`, { headers: { authorization: `Bearer ${e2e.stack.adminToken}` } })
    ).json()) as T;
  const mailTo = async (kind: string, to: string) =>
    (await staff<{ messages: Message[] }>(`/admin/api/outbox?site=demo&kind=${kind}`)).messages.filter(
      (m) => m.to === to,
    );
  const emulator = async (path: string, body: Record<string, string> = {}) => {
    const response = await fetch(`${e2e.stack.emulatorUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk_test_emulator" },
      body: JSON.stringify(body),
    });
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, any>;
  };

  it("the link updates the card in the emulator, and the next retry's success sends a thank-you", async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const reader = "lapsing@example.org";

    // A monthly supporter, through the demo article and the emulator's checkout.
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = page.locator('reader-support[data-placement="inline"]');
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await ask.getByRole("radio", { name: "Monthly" }).check();
    await ask.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    await page.getByLabel("Email").fill(reader);
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.waitForURL(/\/demo/, { timeout: 10_000 });
    await expect.poll(async () => (await mailTo("receipt", reader)).length, { timeout: 15_000 }).toBe(1);

    // The renewal fails: the first email, with its card-update link.
    const subscriptions = await (
      await fetch(`${e2e.stack.emulatorUrl}/v1/subscriptions?limit=1`, {
        headers: { authorization: "Bearer sk_test_emulator" },
      })
    ).json();
    const subscription = (subscriptions as { data: { id: string }[] }).data[0]?.id as string;
    const failed = await emulator(`/_test/subscriptions/${subscription}/fail_renewal?wait=1`);
    await expect.poll(async () => (await mailTo("payment_failed", reader)).length, { timeout: 15_000 }).toBe(1);
    const [email] = await mailTo("payment_failed", reader);
    const link = /(http:\/\/\S+\/r\/card\/\S+)/.exec(email?.text ?? "")?.[1] ?? "";
    expect(link).toBeTruthy();

    // The link shows one button (mail scanners open links); it opens the card update straight away.
    await page.goto(link.replace(/^http:\/\/[^/]+/, e2e.stack.base));
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Update your card");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/emails-card-link.png` });
    await page.getByRole("button", { name: "Update my card" }).click();
    await page.waitForURL(/\/p\/session\/bps_/, { timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/emails-card-portal.png` });
    await page.getByRole("button", { name: "Update card" }).click();
    await page.waitForURL(/\/r\/card\/.+\/done/, { timeout: 10_000 });
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Thank you: your card is updated");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/emails-card-done.png` });

    // Stripe's next retry uses the new card: paid, and the thank-you goes.
    const retried = await emulator(`/_test/invoices/${failed.invoice}/retry?wait=1`);
    expect(retried.status).toBe("active");
    await expect.poll(async () => (await mailTo("payment_recovered", reader)).length, { timeout: 15_000 }).toBe(1);
    const [thanks] = await mailTo("payment_recovered", reader);
    expect(thanks?.subject).toBe("Thank you: your payment to The Harbour Courier went through");
    expect(await mailTo("payment_failed", reader)).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a supporter asks for the year's statement from /manage and receives it", async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${e2e.stack.base}/manage?site=demo`);
    await page.getByRole("link", { name: "Ask for a statement of a year's gifts" }).click();
    await page.waitForURL(/\/manage\/statement/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/emails-statement-form.png` });
    await page.getByLabel("Email address").fill("lapsing@example.org");
    await page.getByLabel("Year").selectOption(String(new Date().getUTCFullYear()));
    await page.getByRole("button", { name: "Email me my statement" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("a statement is on its way");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/emails-statement-sent.png` });
    await expect
      .poll(async () => (await mailTo("statement", "lapsing@example.org")).length, { timeout: 10_000 })
      .toBe(1);
    const [statement] = await mailTo("statement", "lapsing@example.org");
    expect(statement?.text.match(/Monthly support {2}\$10\.00 \(USD\)/g)).toHaveLength(2);
    await context.close();
  });

  it("staff see every template, in each language, with what followed", async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 1600 } });
    const page = await context.newPage();
    await page.goto(`${e2e.stack.base}/admin`);
    await page.getByLabel("Staff token").fill(e2e.stack.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Emails" }).click();
    await page.waitForURL(/\/admin\/emails/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Emails readers receive");
    expect(await axeViolations(page)).toEqual([]);
    await page.locator("iframe.mail").scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SHOTS}/emails-staff.png`, fullPage: true });
    for (const kind of PREVIEW_KINDS) {
      for (const lang of ["en", "ru"]) {
        await page.goto(`${e2e.stack.base}/admin/emails?site=demo&kind=${kind}&lang=${lang}`);
        const frame = page.frameLocator("iframe.mail");
        // The framed HTML part renders with its inline styles (its own CSP allows them).
        await expect
          .poll(() => frame.locator("body > div").evaluate((el) => getComputedStyle(el).backgroundColor), {
            timeout: 5000,
          })
          .toBe("rgb(255, 255, 255)");
        // The sandboxed frame paints in its own process: give it a moment once in view.
        await page.locator("iframe.mail").scrollIntoViewIfNeeded();
        await page.waitForTimeout(400);
        await page.locator("iframe.mail").screenshot({ path: `${SHOTS}/emails-preview-${kind}-${lang}.png` });
        await page.locator("pre.mail").screenshot({ path: `${SHOTS}/emails-preview-${kind}-${lang}-text.png` });
      }
    }
    await context.close();
  });
});
