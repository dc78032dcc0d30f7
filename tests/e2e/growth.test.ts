import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./browser";
import { axeSource, SHOTS, useStackAndBrowser } from "./setup";

/**
 * Growing and keeping recurring support, in Chromium against the whole stack (worker, local D1,
 * the Stripe emulator delivering webhooks live):
 * - a one-off reader takes the ask's monthly offer and ends with an active monthly pledge;
 * - a one-off reader keeps the one-off, then takes the thank-you's monthly offer;
 * - a monthly supporter lowers the amount, pauses and resumes, switches to annual and cancels after
 *   declining the one offer, and the staff view shows each movement with exact figures.
 * Screenshots: tests/e2e/screenshots/growth-*.png.
 */

type Growth = {
  movements: { currency: string; months: Record<string, number | string | null>[] }[];
  changes: { change: string }[];
  cancellations: { byReason: unknown[]; saveOffer: Record<string, number> };
  upsell: { ask: Record<string, number | string>[]; thanks: Record<string, number | string>[] };
};

describe.skipIf(!chromiumAvailable())("growing and keeping recurring support, in Chromium", () => {
  const e2e = useStackAndBrowser();

  async function reader(width = 1280): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await e2e.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    return { context, page, errors };
  }
  const inlineAsk = (page: Page) => page.locator('reader-support[data-placement="inline"]');
  const staff = async <T>(path: string): Promise<T> =>
    (await (
      await fetch(`${e2e.stack.base}${path}`, { headers: { authorization: `Bearer ${e2e.stack.adminToken}` } })
    ).json()) as T;
  const dashboard = () =>
    staff<{ growth: Growth; recurring: { currency: string; active: number; monthly: number }[] }>(
      "/admin/api/dashboard?site=demo&range=all",
    );
  const pledges = async () =>
    (
      await staff<{ recent: { amount: number; frequency: string; status: string; email: string | null }[] }>(
        "/admin/api/dashboard?site=demo&range=all",
      )
    ).recent;

  async function axe(page: Page, include?: string): Promise<string[]> {
    await page.evaluate(axeSource());
    return page.evaluate(async (scope) => {
      const run = (
        window as unknown as {
          axe: {
            run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }>;
          };
        }
      ).axe.run;
      const r = await run(scope ? { include: [[scope]] } : document, {
        runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
      });
      return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    }, include);
  }

  /** The demo article, Once, an amount, Continue: the ask's monthly offer. */
  async function chooseOnce(page: Page, amount = "$25") {
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = inlineAsk(page);
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await ask.getByRole("radio", { name: "Once" }).check();
    await ask.getByRole("radio", { name: amount, exact: true }).check();
    await ask.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => ask.getByRole("heading", { name: "Could you make it monthly?" }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    return ask;
  }

  /** Pays on the emulator's checkout page and comes back to the article. */
  async function pay(page: Page, email?: string) {
    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    if (email) await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.waitForURL(/\/demo/, { timeout: 10_000 });
  }

  it("a one-off reader takes the ask's monthly offer and ends with an active monthly pledge", async () => {
    const { context, page, errors } = await reader();
    const ask = await chooseOnce(page);
    // The offer has focus, so keyboard and screen-reader users meet it first.
    expect(await ask.locator("h3").evaluate((h) => (h.getRootNode() as ShadowRoot).activeElement === h)).toBe(true);
    await ask.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}/growth-upsell-offer.png` });
    expect(await axe(page, "reader-support")).toEqual([]);
    // Keyboard: Tab to "Make it $6 a month", Enter.
    await page.keyboard.press("Tab");
    expect(await ask.getByRole("button", { name: "Make it $6 a month" }).evaluate((b) => b.matches(":focus"))).toBe(
      true,
    );
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    await expect.poll(() => page.getByText("$6").first().isVisible()).toBe(true);
    await pay(page, "upsold@example.org");
    await expect
      .poll(() => inlineAsk(page).getByText("Thank you for supporting").isVisible(), { timeout: 10_000 })
      .toBe(true);
    // A monthly supporter now: the thank-you links to managing it, and offers nothing more.
    await expect.poll(() => inlineAsk(page).getByRole("link", { name: "Manage your support" }).isVisible()).toBe(true);
    expect(await inlineAsk(page).getByRole("button").count()).toBe(0);
    await expect
      .poll(async () => (await pledges()).find((p) => p.email === "upsold@example.org"), { timeout: 15_000 })
      .toMatchObject({ amount: 600, frequency: "monthly", status: "active" });
    // The counters reach the staff funnel: offered, accepted, paid.
    await page.close();
    await expect
      .poll(async () => (await dashboard()).growth.upsell.ask.find((r) => r.paid === 1), { timeout: 20_000 })
      .toMatchObject({ offered: 1, accepted: 1, declined: 0, paid: 1 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a one-off reader keeps the one-off, then gives monthly from the thank-you with one press", async () => {
    const { context, page, errors } = await reader();
    const ask = await chooseOnce(page, "$50");
    await ask.getByRole("button", { name: "Keep my $50 one-off gift" }).click();
    await pay(page, "twice@example.org");
    const thanks = inlineAsk(page);
    const offer = thanks.getByRole("button", { name: "Give $13 a month" });
    await expect.poll(() => offer.isVisible(), { timeout: 10_000 }).toBe(true);
    await thanks.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/growth-thanks-offer.png` });
    expect(await axe(page, "reader-support")).toEqual([]);
    await offer.click();
    // The worker started the checkout from the confirmed gift: the address is already there.
    await page.waitForURL(/\/c\/pay\/cs_test_/, { timeout: 10_000 });
    expect(await page.getByLabel("Email").inputValue()).toBe("twice@example.org");
    await expect.poll(() => page.getByText("$13").first().isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/growth-thanks-checkout.png` });
    await pay(page);
    await expect
      .poll(
        async () =>
          (await pledges())
            .filter((p) => p.email === "twice@example.org")
            .map((p) => `${p.frequency} ${p.amount} ${p.status}`)
            .sort(),
        { timeout: 15_000 },
      )
      .toEqual(["monthly 1300 active", "once 5000 paid"]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a monthly supporter lowers the amount, pauses and resumes, switches to annual and cancels after declining the offer; staff see each movement", async () => {
    const { context, page, errors } = await reader();
    // A monthly pledge of $10 through the demo article.
    await page.goto(`${e2e.stack.base}/demo`);
    const ask = inlineAsk(page);
    await expect.poll(() => ask.getByRole("button", { name: "Continue" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await ask.getByRole("radio", { name: "Monthly" }).check();
    await ask.getByRole("radio", { name: "$10", exact: true }).check();
    await ask.getByRole("button", { name: "Continue" }).click();
    await pay(page, "keeper@example.org");
    await expect
      .poll(async () => (await pledges()).find((p) => p.email === "keeper@example.org")?.status, { timeout: 15_000 })
      .toBe("active");

    // /manage → the emailed link → the supporter's own page.
    await page.goto(`${e2e.stack.base}/manage?site=demo`);
    await page.getByLabel("Email address").fill("keeper@example.org");
    await page.getByRole("button", { name: "Email me a link" }).click();
    let text = "";
    await expect
      .poll(
        async () => {
          const { messages } = await staff<{ messages: { to: string; text: string }[] }>(
            "/admin/api/outbox?site=demo&kind=manage",
          );
          text = messages.find((m) => m.to === "keeper@example.org")?.text ?? "";
          return text.length > 0;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const link = (/(http:\/\/\S+\/manage\/open\/\S+)/.exec(text)?.[1] ?? "").replace(/^http:\/\/[^/]+/, e2e.stack.base);
    await page.goto(link);
    await page.getByRole("button", { name: "Open my support" }).click();
    await page.waitForURL(/\/manage\/support\?lang=en$/);
    await expect.poll(() => page.locator('[data-figure="amount"]').textContent()).toBe("$10 a month");
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/growth-manage-support.png`, fullPage: true });

    // In Russian on a phone: the same page, nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${e2e.stack.base}/manage/support?lang=ru`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Ваша поддержка");
    expect(await axe(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `${SHOTS}/growth-manage-support-ru-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${e2e.stack.base}/manage/support?lang=en`);

    // A lower amount.
    await page.getByLabel("New amount per month (USD)").fill("7");
    await page.getByRole("button", { name: "Change the amount" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toContain("you give $7 a month. Nothing is charged now.");
    await page.screenshot({ path: `${SHOTS}/growth-manage-done.png` });

    // A break, then back.
    await page.getByRole("radio", { name: /^1 month/ }).check();
    await page.getByRole("button", { name: "Pause payments" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Your payments are paused until");
    await page.screenshot({ path: `${SHOTS}/growth-manage-paused.png`, fullPage: true });
    await page.getByRole("button", { name: "Resume payments now" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Your payments are back on.");

    // Annual instead, for $72 a year.
    await page.getByLabel("Amount per year (USD)").fill("72");
    await page.getByRole("button", { name: "Switch to annual" }).click();
    await expect.poll(() => page.locator('[data-figure="amount"]').textContent()).toBe("$72 a year");

    // Cancel: a reason, the one offer, declined.
    await page.getByRole("link", { name: "Cancel my support" }).click();
    await page.getByLabel("It costs too much for me right now").check();
    await page.getByLabel("Anything you'd like to tell us? (optional)").fill("Money is tight this year");
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/growth-manage-cancel.png`, fullPage: true });
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Before you go");
    // Annual support: the offer is to give less (a pause over its renewal would skip a whole year).
    expect(await page.getByRole("button", { name: "Give $36 a year instead" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: /^Pause/ }).count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/growth-manage-offer.png`, fullPage: true });
    await page.getByRole("button", { name: "No thanks, cancel my support" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("no further payments will be taken");
    await page.screenshot({ path: `${SHOTS}/growth-manage-cancelled.png`, fullPage: true });

    // Every change was confirmed by email, once.
    await expect
      .poll(
        async () =>
          (await staff<{ messages: { to: string }[] }>("/admin/api/outbox?site=demo&kind=change")).messages.filter(
            (m) => m.to === "keeper@example.org",
          ).length,
        { timeout: 10_000 },
      )
      .toBe(5);

    // The paid year ends: Stripe ends the subscription.
    const { subscriptions } = { subscriptions: await emulatorSubscriptions("keeper@example.org") };
    await fetch(`${e2e.stack.emulatorUrl}/_test/subscriptions/${subscriptions[0]}/renew?wait=1`, { method: "POST" });

    // Staff: each movement with its exact figures (this month: the earlier tests' supporters too).
    await expect
      .poll(async () => (await dashboard()).growth.cancellations.saveOffer.declined, { timeout: 15_000 })
      .toBe(1);
    await expect
      .poll(
        async () => {
          const usd = (await dashboard()).growth.movements.find((c) => c.currency === "USD");
          return usd?.months.at(-1);
        },
        { timeout: 15_000 },
      )
      .toMatchObject({
        opening: 0,
        new: 600 + 1300 + 1000,
        expansion: 0,
        contraction: -400,
        paused: -700,
        resumed: 700,
        churned: -600,
        closing: 600 + 1300,
        supportersAtStart: 0,
        started: 3,
        ended: 1,
      });
    // The upsell's funnel, once the ask's counters of all three readers have been flushed.
    const sum = (rows: Record<string, number | string>[], key: string) =>
      rows.reduce((n, r) => n + Number(r[key] ?? 0), 0);
    await expect
      .poll(
        async () => {
          const { ask, thanks } = (await dashboard()).growth.upsell;
          return ["offered", "accepted", "declined", "paid"].map((k) => [sum(ask, k), sum(thanks, k)]);
        },
        { timeout: 20_000 },
      )
      .toEqual([
        [2, 1],
        [1, 1],
        [1, 0],
        [1, 1],
      ]);
    const admin = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const staffPage = await admin.newPage();
    await staffPage.goto(`${e2e.stack.base}/admin?site=demo&range=all`);
    await staffPage.getByLabel("Staff token").fill(e2e.stack.adminToken);
    await staffPage.getByRole("button", { name: "Sign in" }).click();
    await staffPage.waitForURL(/\/admin\?site=demo&range=all$/);
    const month = staffPage.locator('table[data-movements="USD"] tbody tr').first();
    const churn = staffPage.locator('table[data-churn="USD"] tbody tr').first();
    expect(await churn.locator('[data-figure="started"]').textContent()).toBe("3");
    expect(await churn.locator('[data-figure="ended"]').textContent()).toBe("1");
    for (const [figure, value] of [
      ["opening", "$0.00"],
      ["new", "+$29.00"],
      ["contraction", "−$4.00"],
      ["paused", "−$7.00"],
      ["resumed", "+$7.00"],
      ["churned", "−$6.00"],
      ["closing", "$19.00"],
    ] as const)
      expect(await month.locator(`[data-figure="${figure}"]`).textContent(), figure).toBe(value);
    const changes = await staffPage.locator("#changes + p + .scroll").textContent();
    expect(changes).toContain("$10.00 a month → $7.00 a month");
    expect(changes).toContain("$7.00 a month → $72.00 a year");
    expect(changes).toContain("Costs too much right now “Money is tight this year”");
    expect(await staffPage.locator('table[data-table="save-offer"] [data-figure="declined"]').textContent()).toBe(
      "1100.0%",
    );
    expect(await staffPage.locator('table[data-upsell="ask"] tbody').textContent()).toContain("Paid");
    expect(await axe(staffPage)).toEqual([]);
    await staffPage.screenshot({ path: `${SHOTS}/growth-admin.png`, fullPage: true });
    // The new sections at reading size.
    await staffPage.evaluate(() => document.getElementById("movements")?.scrollIntoView());
    await staffPage.screenshot({ path: `${SHOTS}/growth-admin-movements.png` });
    await staffPage.evaluate(() => document.getElementById("cancellations")?.scrollIntoView());
    await staffPage.screenshot({ path: `${SHOTS}/growth-admin-cancellations.png` });
    await admin.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  /** The emulator's subscriptions of the customer with this address (newest first). */
  async function emulatorSubscriptions(email: string): Promise<string[]> {
    const auth = { authorization: "Bearer sk_test_x" };
    const subs = (await (
      await fetch(`${e2e.stack.emulatorUrl}/v1/subscriptions?status=all&limit=100`, { headers: auth })
    ).json()) as {
      data: { id: string; customer: string }[];
    };
    const out: string[] = [];
    for (const s of subs.data) {
      const customer = (await (
        await fetch(`${e2e.stack.emulatorUrl}/v1/customers/${s.customer}`, { headers: auth })
      ).json()) as {
        email: string;
      };
      if (customer.email === email) out.push(s.id);
    }
    return out;
  }
});
