import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { renderManageEmail } from "../../worker/manage/email";
import { checkManageToken, LINK_TTL_MS, signManageToken } from "../../worker/manage/links";
import { inspectManageLink, openManageLink } from "../../worker/manage/open";
import { confirmPage, requestPage, sentPage } from "../../worker/manage/pages";
import { requestManageLinks } from "../../worker/manage/request";
import { sha256Hex } from "../../worker/platform/crypto";
import { findSite } from "../../worker/platform/sites";
import {
  ADMIN,
  call,
  cancelSubscription,
  clearLedger,
  control,
  deliverAll,
  drain,
  EMULATOR,
  expectReaderPageHeaders,
  freshIp,
  HOSTILE,
  HOSTILE_HTML,
  ORIGIN,
  READER_PAGE_CSP_STRIPE_FORM,
  startCheckout,
  summary,
} from "./helpers";

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;
const demo = findSite("demo");
if (!demo) throw new Error("demo site missing");

type OutboxMessage = { to: string; subject: string; text: string; html: string; status: string };
async function manageMail(): Promise<OutboxMessage[]> {
  const response = await call("/admin/api/outbox?site=demo&kind=manage", { headers: ADMIN });
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: OutboxMessage[] }).messages;
}

/** Waits for the work the route hands to waitUntil (the answer never waits for it). */
async function mailsAfter(expected: number, timeoutMs = 3000): Promise<OutboxMessage[]> {
  const deadline = Date.now() + timeoutMs;
  let messages = await manageMail();
  while (messages.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    messages = await manageMail();
  }
  return messages;
}

function requestLink(email: string, extra: Record<string, string> = {}, ip = freshIp()) {
  return call("/manage", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ site: "demo", lang: "en", email, ...extra }).toString(),
    ip,
  });
}

/** A monthly supporter made through the emulator: checkout, payment, webhooks delivered. */
async function monthlySupporter(email: string, amount = 1000) {
  const { pledgeId, sessionId } = await startCheckout({ frequency: "monthly", amount, email });
  await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
  await deliverAll();
  const row = await env.DB.prepare(
    "SELECT status, stripe_customer_id, stripe_subscription_id FROM pledges WHERE id = ?",
  )
    .bind(pledgeId)
    .first<{ status: string; stripe_customer_id: string; stripe_subscription_id: string }>();
  expect(row?.status).toBe("active");
  return { pledgeId, customerId: row?.stripe_customer_id ?? "", subscriptionId: row?.stripe_subscription_id ?? "" };
}

const linkIn = (text: string) => /(http:\/\/localhost:8787\/manage\/open\/\S+)/.exec(text)?.[1];
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const pledgeStatus = async (id: string) =>
  (await env.DB.prepare("SELECT status FROM pledges WHERE id = ?").bind(id).first<{ status: string }>())?.status;

beforeEach(async () => {
  await clearLedger();
  await drain();
  await env.DB.batch([env.DB.prepare("DELETE FROM mail_outbox"), env.DB.prepare("DELETE FROM manage_links")]);
});

describe("the manage page", () => {
  it("GET /manage?site=demo is a labelled email form with no inline script or style", async () => {
    const response = await call("/manage?site=demo&return=http%3A%2F%2Flocalhost%3A8787%2Fdemo%3Fa%3D1");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<h1>Manage your support</h1>");
    expect(html).toContain('<label for="email">Email address</label>');
    expect(html).toMatch(/<input id="email" name="email" type="email" autocomplete="email" required/);
    expect(html).toContain('value="http://localhost:8787/demo?a=1"');
    expect(html).toContain('<link rel="stylesheet" href="/manage/style.css">');
    expect(html).not.toMatch(/<script|<style|style=/i);
    expect(response.headers.get("content-security-policy")).toContain("style-src 'self'");
    expectReaderPageHeaders(response);
    const css = await call("/manage/style.css");
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(await css.text()).toContain(":focus-visible");
  });

  it("speaks Russian when asked, and says so when the site is unknown", async () => {
    expect(await (await call("/manage?site=demo&lang=ru")).text()).toContain("Управление поддержкой");
    expect(
      await (await call("/manage?site=demo", { headers: { "accept-language": "ru-RU,ru;q=0.9" } })).text(),
    ).toContain('lang="ru"');
    expect((await call("/manage?site=nope")).status).toBe(404);
  });

  it("a malformed address gets the form back with an announced error", async () => {
    const response = await requestLink("not-an-address");
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('value="not-an-address"');
    expectReaderPageHeaders(response);
  });

  it("escapes the site's name, the reader's address and every URL it writes", async () => {
    // Over HTTP: the address as typed comes back in the form.
    const response = await requestLink(`${HOSTILE}@example.com`);
    expect(response.status).toBe(400);
    const typed = await response.text();
    expect(typed).toContain(`value="${HOSTILE_HTML}@example.com"`);
    expect(typed).not.toMatch(/<script|<b>/);

    // Rendered directly: a configured site name and id, a return URL and a form action.
    const ctx = {
      lang: "en" as const,
      siteId: HOSTILE,
      siteName: HOSTILE,
      returnUrl: `https://evil.example/?a=1&b=${HOSTILE}`,
    };
    const request = requestPage(ctx, { email: HOSTILE, error: true });
    expect(request).toContain(`<title>Manage your support — ${HOSTILE_HTML}</title>`);
    expect(request).toContain(`<p class="publisher">${HOSTILE_HTML}</p>`);
    expect(request).toContain(`started supporting ${HOSTILE_HTML}.`);
    expect(request).toContain(`<input type="hidden" name="site" value="${HOSTILE_HTML}">`);
    expect(request).toContain(
      `<input type="hidden" name="return" value="https://evil.example/?a=1&amp;b=${HOSTILE_HTML}">`,
    );
    expect(request).toContain(`value="${HOSTILE_HTML}" aria-describedby="email-error email-hint" aria-invalid="true"`);
    const sent = sentPage(ctx);
    expect(sent).toContain(
      `<a href="/manage?site=${encodeURIComponent(HOSTILE).replaceAll("'", "&#39;")}&amp;lang=en&amp;return=`,
    );
    const confirm = confirmPage(ctx, `/manage/open/x?${HOSTILE}`);
    expect(confirm).toContain(`<form method="post" action="/manage/open/x?${HOSTILE_HTML}">`);
    for (const page of [request, sent, confirm]) expect(page).not.toMatch(/<script|<b>/);
  });

  it("the manage email escapes the site's name and links in its HTML part only", () => {
    const url = `https://evil.example/manage/open/x?a=1&b=${HOSTILE}`;
    const mail = renderManageEmail({
      lang: "en",
      siteName: HOSTILE,
      links: [
        {
          support: { customerId: "cus_x", frequency: "monthly", amount: 1000, currency: "USD", status: "active" },
          url,
        },
      ],
    });
    expect(mail.subject).toBe(`Manage your support for ${HOSTILE}`);
    expect(mail.text).toContain(`recurring support for ${HOSTILE}.`);
    expect(mail.text).toContain(url);
    expect(mail.html).toContain(`<title>Manage your support for ${HOSTILE_HTML}</title>`);
    expect(mail.html).toContain(`recurring support for ${HOSTILE_HTML}.`);
    expect(mail.html).toContain(`<a href="https://evil.example/manage/open/x?a=1&amp;b=${HOSTILE_HTML}" style=`);
    expect(mail.html).not.toMatch(/<script|<b>/);
  });
});

describe("supporters manage their own recurring support", () => {
  it("the whole path: request → outbox → open → support page → card portal; a cancellation reaches the totals", async () => {
    const { pledgeId, customerId, subscriptionId } = await monthlySupporter("Monthly@Example.com");
    const before = await summary();
    expect(before.recurring.find((r) => r.currency === "USD")?.active).toBe(1);

    const answer = await requestLink("monthly@example.com", { return: `${ORIGIN}/demo?from=thanks` });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("If we know this address, a link is on its way.");

    const [mail] = await mailsAfter(1);
    expect(mail).toMatchObject({ to: "monthly@example.com", subject: "Manage your support for The Harbour Courier" });
    expect(mail?.text).toContain("$10 a month");
    expect(mail?.text).toContain("works once and for 30 minutes");
    const link = linkIn(mail?.text ?? "");
    expect(link).toBeTruthy();

    // Opening the link (GET) only shows a button: a mail scanner following it uses nothing.
    const confirm = await call(pathOf(link ?? ""));
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain("Open my support");
    expectReaderPageHeaders(confirm);
    expect(await call(pathOf(link ?? "")).then((r) => r.status)).toBe(200);

    // The button opens the supporter's session (a cookie for /manage only) and their page.
    const opened = await call(pathOf(link ?? ""), { method: "POST", redirect: "manual" });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/manage/support?lang=en");
    const cookie = opened.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^rs_manage=[\w-]+\.[\w-]{43}; Max-Age=1800; Path=\/manage; HttpOnly; Secure; SameSite=Strict$/,
    );
    const session = cookie.split(";")[0] ?? "";
    const page = await call("/manage/support?lang=en", { headers: { cookie: session } });
    expect(page.status).toBe(200);
    // Its card form is answered with a redirect to Stripe, so its CSP does not restrict form-action.
    expectReaderPageHeaders(page, READER_PAGE_CSP_STRIPE_FORM);
    const pageHtml = await page.text();
    expect(pageHtml).toContain("$10 a month");
    const nonce = /name="nonce" value="([^"]+)"/.exec(pageHtml)?.[1] ?? "";

    // Update my card: Stripe's portal for that alone, back to this page afterwards.
    const card = await call("/manage/support/card", {
      method: "POST",
      redirect: "manual",
      headers: { cookie: session, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ subscription: subscriptionId, nonce, lang: "en" }).toString(),
    });
    expect(card.status).toBe(303);
    const portalUrl = new URL(card.headers.get("location") ?? "");
    expect(portalUrl.pathname).toMatch(/^\/p\/session\/bps_/);
    const portal = await (await fetch(`${EMULATOR}${portalUrl.pathname}`)).text();
    expect(portal).toContain("Update your card");
    expect(portal).toContain(`href="${ORIGIN}/manage/support/returned?site=demo&amp;lang=en"`);
    // Back from Stripe no cookie comes along (SameSite=Strict): a page without a session, and a same-site link back.
    const returned = await call("/manage/support/returned?site=demo&lang=en");
    expect(returned.status).toBe(200);
    expect(await returned.text()).toContain('<a href="/manage/support?lang=en&amp;done=card">Back to your support</a>');

    // Cancelling through the emulator's portal (or Stripe's) still reaches the ledger and the totals.
    await cancelSubscription(subscriptionId);
    const deliveries = await deliverAll();
    expect(deliveries.map((d) => d.type)).toContain("customer.subscription.deleted");
    expect(await pledgeStatus(pledgeId)).toBe("canceled");
    const after = await summary();
    expect(after.recurring.find((r) => r.currency === "USD")?.active ?? 0).toBe(0);
    expect(customerId).toMatch(/^cus_/);

    // The link was used: a replay is refused and offers a new one.
    const replay = await call(pathOf(link ?? ""), { method: "POST" });
    expect(replay.status).toBe(410);
    expectReaderPageHeaders(replay);
    const replayHtml = await replay.text();
    expect(replayHtml).toContain("This link was already used");
    expect(replayHtml).toContain('action="/manage"');
    expect((await call(pathOf(link ?? ""))).status).toBe(410);
  });

  it("an unknown address gets the very same answer, and nothing is sent", async () => {
    await monthlySupporter("known@example.com");
    const unknown = await requestLink("stranger@example.com");
    const known = await requestLink("known@example.com");
    expect(unknown.status).toBe(known.status);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, "");
    expect(strip(await unknown.text())).toBe(strip(await known.text()));
    const mails = await mailsAfter(1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await manageMail()).map((m) => m.to)).toEqual(["known@example.com"]);
    expect(mails).toHaveLength(1);
    // One-time givers and canceled supporters have nothing to manage either.
    expect(
      await requestManageLinks(
        env,
        { site: demo, email: "stranger@example.com", lang: "en", returnUrl: ORIGIN },
        Date.now(),
      ),
    ).toBe("unknown");
  });

  it("a one-time gift has nothing to manage", async () => {
    const { sessionId } = await startCheckout({ frequency: "once", email: "once@example.com" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    const outcome = await requestManageLinks(
      env,
      { site: demo, email: "once@example.com", lang: "en", returnUrl: ORIGIN },
      Date.now(),
    );
    expect(outcome).toBe("unknown");
  });

  it("an expired link is refused and says so (now injected), and a forged one too", async () => {
    await monthlySupporter("late@example.com");
    const now = Date.now();
    await requestManageLinks(
      env,
      { site: demo, email: "late@example.com", lang: "en", returnUrl: `${ORIGIN}/demo` },
      now,
    );
    const [mail] = await manageMail();
    const link = linkIn(mail?.text ?? "") ?? "";
    const token = new URL(link).pathname.split("/").pop() ?? "";

    expect((await inspectManageLink(env, token, now + LINK_TTL_MS - 1000)).ok).toBe(true);
    expect(await inspectManageLink(env, token, now + LINK_TTL_MS + 1000)).toEqual({ ok: false, reason: "expired" });
    expect(await openManageLink(env, token, now + LINK_TTL_MS + 1000)).toMatchObject({
      ok: false,
      reason: "expired",
    });
    // Still unused: the refusal did not spend it.
    expect((await inspectManageLink(env, token, now)).ok).toBe(true);

    // Through HTTP: a link whose signed expiry has passed.
    const past = now - 60_000;
    const oldToken = await signManageToken(SECRET, "AAAAAAAAAAAAAAAAAAAAAA", past);
    await env.DB.prepare(
      "INSERT INTO manage_links (token_hash, site, customer_id, email_hash, return_url, created_at, expires_at) VALUES (?, 'demo', 'cus_x', 'h', ?, ?, ?)",
    )
      .bind(await sha256Hex(oldToken), `${ORIGIN}/demo`, past - LINK_TTL_MS, past)
      .run();
    const expired = await call(`/manage/open/${oldToken}?site=demo&lang=en`, { method: "POST" });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");

    const forged = `${token.slice(0, -3)}AAA`;
    expect(await checkManageToken(SECRET, forged, now)).toEqual({ ok: false, reason: "forged" });
    const refused = await call(`/manage/open/${forged}?site=demo&lang=en`);
    expect(refused.status).toBe(410);
    expect(await refused.text()).toContain("This link does not work");
  });

  it("two clicks at once: exactly one opens a session", async () => {
    await monthlySupporter("twice@example.com");
    await requestManageLinks(
      env,
      { site: demo, email: "twice@example.com", lang: "en", returnUrl: `${ORIGIN}/demo` },
      Date.now(),
    );
    const token = new URL(linkIn((await manageMail())[0]?.text ?? "") ?? "").pathname.split("/").pop() ?? "";
    const results = await Promise.all([1, 2, 3].map(() => openManageLink(env, token, Date.now())));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === "used")).toHaveLength(2);
  });

  it("when Stripe fails the link is given back, so the same button works a moment later", async () => {
    await monthlySupporter("retry@example.com");
    await requestManageLinks(
      env,
      { site: demo, email: "retry@example.com", lang: "en", returnUrl: `${ORIGIN}/demo` },
      Date.now(),
    );
    const link = linkIn((await manageMail())[0]?.text ?? "") ?? "";
    await control("/_test/faults", { mode: "error", count: 1 });
    const failed = await call(pathOf(link), { method: "POST" });
    expect(failed.status).toBe(502);
    expect(await failed.text()).toContain("Your link still works");
    expectReaderPageHeaders(failed);
    const retried = await call(pathOf(link), { method: "POST", redirect: "manual" });
    expect(retried.status).toBe(303);
  });

  it("one email offers every live recurring support of the address, in Russian when asked", async () => {
    await monthlySupporter("two@example.com", 1000);
    const { sessionId } = await startCheckout({ frequency: "annual", amount: 10000, email: "two@example.com" });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();
    await requestLink("two@example.com", { lang: "ru" });
    const [mail] = await mailsAfter(1);
    expect(mail?.subject).toBe("Управление поддержкой The Harbour Courier");
    expect(mail?.text.match(/\/manage\/open\//g)).toHaveLength(2);
    expect(mail?.text).toContain("в месяц");
    expect(mail?.text).toContain("в год");
  });

  it("rate limits per address (three emails an hour) and per client", async () => {
    await monthlySupporter("busy@example.com");
    for (let i = 0; i < 5; i++) await requestLink("busy@example.com");
    await mailsAfter(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await manageMail()).toHaveLength(3);

    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await requestLink(`x${i}@example.com`, {}, ip)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
  });
});
