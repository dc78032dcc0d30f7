import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./browser";
import { axeViolations, SHOTS, useStackAndBrowser } from "./setup";

/**
 * Managing one's support as a supporter walks it: a monthly pledge through the demo, then /manage → email →
 * the link from the outbox → the supporter's page → Update my card in Stripe's portal (the card
 * alone) → back to the page. The used link is refused afterwards. Changing and cancelling are
 * walked in growth.test.ts.
 */

describe.skipIf(!chromiumAvailable())("supporters manage their own support, in Chromium", () => {
  const e2e = useStackAndBrowser();

  const staff = async <T>(path: string): Promise<T> =>
    (await (
      await fetch(`${e2e.stack.base}${path}`, { headers: { authorization: `Bearer ${e2e.stack.adminToken}` } })
    ).json()) as T;
  const activeRecurring = async () =>
    (await staff<{ recurring: { currency: string; active: number }[] }>("/admin/api/summary?site=demo")).recurring.find(
      (r) => r.currency === "USD",
    )?.active ?? 0;

  it("a monthly supporter opens their page through the emailed link and updates their card", async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // A monthly pledge through the demo article and the emulator's checkout.
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = page.locator('reader-support[data-placement="inline"]');
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await ask.getByRole("radio", { name: "Monthly" }).check();
    await ask.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    await page.getByLabel("Email").fill("supporter@example.org");
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.waitForURL(/\/demo/, { timeout: 10_000 });
    await expect.poll(activeRecurring, { timeout: 15_000 }).toBe(1);

    // The manage page: one calm form; the same answer for everyone.
    await page.goto(`${e2e.stack.base}/manage?site=demo&return=${encodeURIComponent(`${e2e.stack.base}/demo`)}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/manage-form.png` });
    await page.getByLabel("Email address").fill("supporter@example.org");
    await page.getByRole("button", { name: "Email me a link" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("If we know this address");
    await page.screenshot({ path: `${SHOTS}/manage-sent.png` });

    let text = "";
    await expect
      .poll(
        async () => {
          const { messages } = await staff<{ messages: { to: string; text: string }[] }>(
            "/admin/api/outbox?site=demo&kind=manage",
          );
          text = messages.find((m) => m.to === "supporter@example.org")?.text ?? "";
          return text.length > 0;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const link = /(http:\/\/\S+\/manage\/open\/\S+)/.exec(text)?.[1] ?? "";
    expect(link).toBeTruthy();
    const sameHost = link.replace(/^http:\/\/[^/]+/, e2e.stack.base);

    // The link shows a button; the button opens the supporter's own page.
    await page.goto(sameHost);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/manage-confirm.png` });
    await page.getByRole("button", { name: "Open my support" }).click();
    await page.waitForURL(/\/manage\/support\?lang=en$/, { timeout: 10_000 });
    expect(await page.locator('[data-figure="amount"]').textContent()).toBe("$10 a month");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/manage-support.png`, fullPage: true });

    // Update my card: Stripe's portal for the card alone, then back to the page.
    await page.getByRole("button", { name: "Update my card" }).click();
    await page.waitForURL(/\/p\/session\/bps_/, { timeout: 10_000 });
    expect(await page.getByRole("button", { name: /Cancel support/ }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/manage-portal.png` });
    await page.getByRole("button", { name: "Update card" }).click();
    // Back from Stripe (a cross-site navigation: the SameSite=Strict cookie stays behind), then to the page.
    await page.waitForURL(/\/manage\/support\/returned\?site=demo&lang=en$/, { timeout: 10_000 });
    await expect.poll(() => page.getByRole("status").textContent()).toContain("If you saved a new card");
    await page.getByRole("link", { name: "Back to your support" }).click();
    await page.waitForURL(/\/manage\/support\?lang=en&done=card$/, { timeout: 10_000 });
    expect(await page.locator('[data-figure="amount"]').textContent()).toBe("$10 a month");
    expect(await activeRecurring()).toBe(1);

    // The link was used: opening it again says so and offers a new one.
    await page.goto(sameHost);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This link was already used");
    expect(await page.getByLabel("Email address").isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/manage-used.png` });
    expect(errors).toEqual([]);
    await context.close();
  });
});
