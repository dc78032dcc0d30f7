import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import worker from "../../worker/index";
import type { Transport } from "../../worker/platform/mail/transports";
import { outboxTransport } from "../../worker/platform/mail/transports";
import { dispatchDueReminders } from "../../worker/reminders/dispatch";
import { renderReminderEmail } from "../../worker/reminders/email";
import { forgetConfirmPage, forgetDonePage } from "../../worker/reminders/pages";
import { isDue, reminderDueAt, sendOnDate } from "../../worker/reminders/schedule";
import {
  ADMIN,
  call,
  clearLedger,
  control,
  deliverAll,
  drain,
  expectReaderPageHeaders,
  freshIp,
  HOSTILE,
  HOSTILE_HTML,
  insideOneWindow,
  ORIGIN,
  startCheckout,
} from "./helpers";

const DAY = 86_400_000;

const reminderBody = (overrides: Record<string, unknown> = {}) => ({
  site: "demo",
  email: "reader@example.com",
  when: "next_week",
  lang: "en",
  pageUrl: `${ORIGIN}/demo?utm_source=x#comments`,
  ...overrides,
});

function postReminder(body: unknown, headers: Record<string, string> = {}, ip = freshIp()) {
  return call("/api/reminders", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ip,
  });
}

/** The staff dispatch at `now`: `?now=` is a development convenience, so this call runs in development. */
async function dispatch(now?: number) {
  const query = now === undefined ? "" : `?now=${encodeURIComponent(new Date(now).toISOString())}`;
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`${ORIGIN}/admin/api/reminders/dispatch${query}`, { method: "POST", headers: ADMIN }),
    { ...env, ENVIRONMENT: "development" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

type OutboxMessage = {
  id: string;
  kind: string;
  to: string;
  subject: string;
  status: string;
  text: string;
  html: string;
  headers: Record<string, string>;
};
async function outbox(kind = "reminder"): Promise<OutboxMessage[]> {
  const response = await call(`/admin/api/outbox?site=demo&kind=${kind}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: OutboxMessage[] }).messages;
}

const rows = async () =>
  (
    await env.DB.prepare(
      "SELECT id, email, status, remind_in, due_at, lang, attempts, forget_hash, claim, page_url, confirmed_at FROM reminders ORDER BY created_at",
    ).all<{
      id: string;
      email: string | null;
      status: string;
      remind_in: string;
      due_at: number;
      lang: string;
      attempts: number;
      forget_hash: string | null;
      claim: string | null;
      page_url: string;
      confirmed_at: number | null;
    }>()
  ).results;

/** The confirmation links emailed to `email` so far, oldest first (the email goes out after the answer: poll for it). */
async function confirmationLinks(email: string, expected = 1): Promise<string[]> {
  const deadline = Date.now() + 3000;
  const links = async () =>
    (await outbox("confirmation"))
      .filter((m) => m.to === email.toLowerCase())
      .map((m) => /(http:\/\/localhost:8787\/r\/confirm\/\S+)/.exec(m.text)?.[1] ?? "")
      .reverse(); // oldest first
  let found = await links();
  while (found.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    found = await links();
  }
  return found;
}

/** Presses the confirmation page's button, as the reader does. */
function confirm(link: string) {
  const url = new URL(link);
  return call(`${url.pathname}${url.search}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

/** A request confirmed by its reader: the pending reminder row. */
async function reminderAt(body = reminderBody()) {
  const email = String(body.email).toLowerCase();
  const earlier = (await confirmationLinks(email, 0)).length;
  const response = await postReminder(body);
  expect(response.status).toBe(202);
  const link = (await confirmationLinks(email, earlier + 1))[earlier];
  if (!link) throw new Error(`no confirmation email for ${email}`);
  const confirmedAt = Date.now();
  expect((await confirm(link)).status).toBe(200);
  const [row] = (await rows()).filter((r) => r.email === email && r.status === "pending");
  if (!row) throw new Error("no pending reminder row");
  return {
    row,
    before: confirmedAt,
    json: (await response.json()) as { status: string; when: string; sendOn: string },
  };
}

beforeEach(async () => {
  await env.DB.batch([env.DB.prepare("DELETE FROM reminders"), env.DB.prepare("DELETE FROM mail_outbox")]);
});

describe("when a reminder is due (pure, now injected)", () => {
  const t = Date.UTC(2026, 0, 31, 9, 30, 0);

  it("next week is exactly seven days later: due at that instant, not a millisecond before", () => {
    const due = reminderDueAt("next_week", t);
    expect(due).toBe(t + 7 * DAY);
    expect(isDue(due, due - 1)).toBe(false);
    expect(isDue(due, due)).toBe(true);
    expect(isDue(due, due + 1)).toBe(true);
  });

  it("next month keeps the day and time, or the month's last day when it is shorter", () => {
    expect(new Date(reminderDueAt("next_month", t)).toISOString()).toBe("2026-02-28T09:30:00.000Z");
    expect(new Date(reminderDueAt("next_month", Date.UTC(2028, 0, 31, 9))).toISOString()).toBe(
      "2028-02-29T09:00:00.000Z",
    );
    expect(new Date(reminderDueAt("next_month", Date.UTC(2026, 11, 15, 23, 59))).toISOString()).toBe(
      "2027-01-15T23:59:00.000Z",
    );
    expect(sendOnDate(reminderDueAt("next_month", t))).toBe("2026-02-28");
  });
});

describe("POST /api/reminders", () => {
  it("stores an unconfirmed request, emails one confirmation link, and says on which day the reminder would come", async () => {
    const before = Date.now();
    const response = await postReminder(reminderBody());
    expect(response.status).toBe(202);
    const json = (await response.json()) as { status: string; when: string; sendOn: string };
    expect(json).toEqual({ status: "confirmation_sent", when: "next_week", sendOn: sendOnDate(before + 7 * DAY) });
    expect(await confirmationLinks("reader@example.com")).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({ email: "reader@example.com", status: "unconfirmed", confirmed_at: null });
    // The address kept is origin and path only.
    expect(row?.page_url).toBe(`${ORIGIN}/demo`);
  });

  it("the reader confirms through the link: one pending reminder, due a week after confirming", async () => {
    const { row, before } = await reminderAt();
    expect(row).toMatchObject({ email: "reader@example.com", status: "pending", remind_in: "next_week", lang: "en" });
    expect(row.confirmed_at).toBeGreaterThanOrEqual(before);
    expect(row.due_at).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(row.due_at).toBeLessThanOrEqual(Date.now() + 7 * DAY);
  });

  it("a second confirmed request for the same address and site replaces the pending reminder", async () => {
    await reminderAt();
    const { row } = await reminderAt(reminderBody({ email: "Reader@Example.com", when: "next_month", lang: "ru" }));
    const all = await rows();
    expect(all.map((r) => r.status)).toEqual(["replaced", "pending"]);
    expect(all[0]?.email).toBeNull();
    expect(row).toMatchObject({ remind_in: "next_month", lang: "ru", email: "reader@example.com" });
  });

  it.each([
    ["a bad email", reminderBody({ email: "not-an-email" }), 400, "email"],
    ["an unknown site", reminderBody({ site: "nope" }), 400, "site"],
    ["a foreign page URL", reminderBody({ pageUrl: "https://evil.example.net/demo" }), 400, "pageUrl"],
    ["a non-http page URL", reminderBody({ pageUrl: "javascript:alert(1)" }), 400, "pageUrl"],
    ["an unknown delay", reminderBody({ when: "someday" }), 400, "when"],
    ["an unknown language", reminderBody({ lang: "de" }), 400, "lang"],
    ["an extra field", reminderBody({ campaign: "x" }), 400, undefined],
  ])("refuses %s with a clear 400 and stores nothing", async (_name, body, status, field) => {
    const response = await postReminder(body);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { code: string; message: string; field?: string } };
    expect(json.error.message.length).toBeGreaterThan(5);
    if (field) expect(json.error.field).toBe(field);
    expect(await rows()).toHaveLength(0);
  });

  it("refuses malformed JSON and an origin the site does not allow, storing nothing", async () => {
    expect((await postReminder("{nope")).status).toBe(400);
    const foreign = await postReminder(reminderBody(), { origin: "https://evil.example.net" });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    expect(await rows()).toHaveLength(0);
  });

  it("rate limits per client: the sixth request in a minute gets 429 with Retry-After", async () => {
    await insideOneWindow();
    const ip = freshIp();
    for (let i = 0; i < 5; i++)
      expect((await postReminder(reminderBody({ email: `r${i}@example.com` }), {}, ip)).status).toBe(202);
    const limited = await postReminder(reminderBody({ email: "r9@example.com" }), {}, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    await confirmationLinks("r4@example.com");
    expect(await rows()).toHaveLength(5);
  }, 30_000);

  it("answers the CORS preflight for the demo origin", async () => {
    const response = await call("/api/reminders", {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });
});

describe("dispatch", () => {
  it("sends nothing before the due time and exactly one email at it, then erases the address", async () => {
    const { row } = await reminderAt();
    const early = (await (await dispatch(row.due_at - 1)).json()) as { sent: number };
    expect(early.sent).toBe(0);
    expect(await outbox()).toHaveLength(0);

    const onTime = (await (await dispatch(row.due_at)).json()) as { sent: number; claimed: number };
    expect(onTime).toMatchObject({ sent: 1, claimed: 1 });
    const again = (await (await dispatch(row.due_at + DAY)).json()) as { sent: number };
    expect(again.sent).toBe(0);

    const messages = await outbox();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: "reader@example.com", status: "sent", kind: "reminder" });
    const [after] = await rows();
    expect(after).toMatchObject({ status: "sent", email: null, forget_hash: null, claim: null });
  });

  it("the email links back to the article tagged for attribution, with a forget-me link and list headers", async () => {
    const { row } = await reminderAt();
    await dispatch(row.due_at);
    const [message] = await outbox();
    if (!message) throw new Error("no message");
    expect(message.subject).toBe("Your reminder: support The Harbour Courier");
    // Origin and path of the article only: the query and fragment the request carried are gone.
    expect(message.text).toContain(`${ORIGIN}/demo?rs_campaign=reminder`);
    expect(message.text).not.toContain("utm_source");
    expect(message.html).toContain(`href="${ORIGIN}/demo?rs_campaign=reminder"`);
    const forget = /(http:\/\/localhost:8787\/r\/forget\/[A-Za-z0-9_-]{43}\?site=demo&lang=en)/.exec(message.text)?.[1];
    expect(forget).toBeTruthy();
    expect(message.headers["List-Unsubscribe"]).toBe(`<${forget}>`);
    expect(message.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(message.html).not.toMatch(/<script/i);
  });

  it("escapes the site's name and the URLs in the HTML part; the text part stays plain", () => {
    const articleUrl = `https://evil.example/story?a=1&b=${HOSTILE}`;
    const forgetUrl = `https://evil.example/r/forget/x?${HOSTILE}`;
    const message = renderReminderEmail({ lang: "en", siteName: HOSTILE, articleUrl, forgetUrl });
    expect(message.subject).toBe(`Your reminder: support ${HOSTILE}`);
    expect(message.text).toContain(`You asked ${HOSTILE} to remind you`);
    expect(message.text).toContain(articleUrl);
    expect(message.text).toContain(`Forget my address: ${forgetUrl}`);
    expect(message.html).toContain(`<title>Your reminder: support ${HOSTILE_HTML}</title>`);
    expect(message.html).toContain(`<p>You asked ${HOSTILE_HTML} to remind you`);
    expect(message.html).toContain(`<a href="https://evil.example/story?a=1&amp;b=${HOSTILE_HTML}" style=`);
    expect(message.html).toContain(
      `Don&#39;t want reminders from us? <a href="https://evil.example/r/forget/x?${HOSTILE_HTML}" style="color:#555">Forget my address</a>`,
    );
    expect(message.html).not.toMatch(/<script|<b>/);
  });

  it("writes Russian to a reader who asked in Russian", async () => {
    const { row } = await reminderAt(reminderBody({ lang: "ru" }));
    await dispatch(row.due_at);
    const [message] = await outbox();
    expect(message?.subject).toBe("Напоминание: поддержите The Harbour Courier");
    expect(message?.text).toContain("Забыть мой адрес");
    expect(message?.html).toContain('lang="ru"');
  });

  it("overlapping runs send each reminder once", async () => {
    const emails = Array.from({ length: 12 }, (_, i) => `overlap${i}@example.com`);
    for (const email of emails) await reminderAt(reminderBody({ email }));
    const due = Math.max(...(await rows()).map((r) => r.due_at));
    const results = (await Promise.all(Array.from({ length: 4 }, () => dispatch(due).then((r) => r.json())))) as {
      sent: number;
    }[];
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(12);
    const messages = await outbox();
    expect(messages).toHaveLength(12);
    expect(new Set(messages.map((m) => m.to))).toEqual(new Set(emails));
    expect((await rows()).every((r) => r.status === "sent" && r.email === null)).toBe(true);
  });

  it("a failing mail provider is retried on the next run, without duplicates", async () => {
    await reminderAt(reminderBody({ email: "a@example.com" }));
    await reminderAt(reminderBody({ email: "b@example.com" }));
    const due = Math.max(...(await rows()).map((r) => r.due_at));
    let calls = 0;
    const flaky: Transport = {
      name: "resend",
      keepsContent: false,
      async send(message) {
        calls++;
        if (message.to === "b@example.com") throw new Error("provider 503");
        return { providerId: "re_1" };
      },
    };
    expect(await dispatchDueReminders(env, due, flaky)).toMatchObject({ claimed: 2, sent: 1, failed: 1 });
    expect(calls).toBe(2);
    const failed = (await rows()).find((r) => r.status === "pending");
    expect(failed).toMatchObject({ email: "b@example.com", attempts: 1, claim: null });

    // Next run: only the failed one is tried again, and it now goes out.
    const sentTo: string[] = [];
    const healthy: Transport = {
      ...outboxTransport,
      async send(m) {
        sentTo.push(m.to);
        return { providerId: null };
      },
    };
    expect(await dispatchDueReminders(env, due + 60_000, healthy)).toMatchObject({ claimed: 1, sent: 1, failed: 0 });
    expect(sentTo).toEqual(["b@example.com"]);
    expect(await dispatchDueReminders(env, due + 120_000, healthy)).toMatchObject({ claimed: 0, sent: 0 });

    const messages = await outbox();
    expect(messages.map((m) => m.status).sort()).toEqual(["sent", "sent"]);
    expect(messages.find((m) => m.to === "b@example.com")).toBeDefined();
    // The masked recipient of the provider-sent one: the outbox keeps no address for real transports.
    expect(messages.find((m) => m.to.startsWith("a•••"))).toMatchObject({ text: null, html: null });
    expect((await rows()).every((r) => r.status === "sent" && r.email === null)).toBe(true);
  });

  it("gives up after five failed attempts and erases the address", async () => {
    const { row } = await reminderAt();
    const down: Transport = {
      ...outboxTransport,
      async send() {
        throw new Error("down");
      },
    };
    for (let i = 0; i < 5; i++) await dispatchDueReminders(env, row.due_at + i, down);
    const [after] = await rows();
    expect(after).toMatchObject({ status: "failed", email: null, attempts: 5 });
    expect(await dispatchDueReminders(env, row.due_at + 10, outboxTransport)).toMatchObject({ claimed: 0 });
  });

  it("accepts ?now only in development, only as an ISO date and only with staff authentication", async () => {
    expect((await call("/admin/api/reminders/dispatch", { method: "POST" })).status).toBe(401);
    const invalid = await app.fetch(
      new Request(`${ORIGIN}/admin/api/reminders/dispatch?now=tomorrow`, { method: "POST", headers: ADMIN }),
      { ...env, ENVIRONMENT: "development" },
      createExecutionContext(),
    );
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe("invalid_now");
    // Anywhere but development (these tests run with production behaviour) the clock cannot be moved.
    const production = await call(`/admin/api/reminders/dispatch?now=2030-01-01T09:00:00Z`, {
      method: "POST",
      headers: ADMIN,
    });
    expect(production.status).toBe(400);
    expect(((await production.json()) as { error: { code: string } }).error.code).toBe("now_not_allowed");
    expect((await call("/admin/api/outbox")).status).toBe(401);
    expect((await call("/admin/api/reminders/stats?site=demo")).status).toBe(401);
  });

  it("the scheduled handler (the Cron Trigger) sends what is due at its scheduled time", async () => {
    const { row } = await reminderAt();
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: row.due_at - 1, cron: "*/15 * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(await outbox()).toHaveLength(0);

    const ctx2 = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: row.due_at, cron: "*/15 * * * *" }), env, ctx2);
    await waitOnExecutionContext(ctx2);
    expect(await outbox()).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: "sent", email: null });
  });
});

describe("forget me", () => {
  async function sentForgetLink(email = "forget@example.com") {
    const { row } = await reminderAt(reminderBody({ email }));
    await dispatch(row.due_at);
    const [message] = await outbox();
    const link = /(http:\/\/localhost:8787\/r\/forget\/\S+)/.exec(message?.text ?? "")?.[1];
    if (!link) throw new Error("no forget link");
    return new URL(link);
  }

  it("GET only shows a confirmation form; POST forgets the reader's pending reminder", async () => {
    const link = await sentForgetLink();
    // The reader asked again from another article: a new pending reminder with the address.
    await reminderAt(reminderBody({ email: "forget@example.com", pageUrl: `${ORIGIN}/demo/second-article` }));
    expect((await rows()).filter((r) => r.status === "pending")).toHaveLength(1);

    const page = await call(`${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain("Forget my address");
    expect(html).not.toMatch(/<script|style=/i);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expectReaderPageHeaders(page);
    // A mail scanner opening the link changed nothing.
    expect((await rows()).filter((r) => r.status === "pending")).toHaveLength(1);

    const action = /action="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
    const done = await call(action ?? "", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Your address is forgotten");
    expectReaderPageHeaders(done);
    const after = await rows();
    expect(after.some((r) => r.email !== null)).toBe(false);
    expect(after.map((r) => r.status).sort()).toEqual(["forgotten", "sent"]);
    // Counts stay: both requests are still counted.
    const stats = (await (await call("/admin/api/reminders/stats?site=demo", { headers: ADMIN })).json()) as Record<
      string,
      number
    >;
    expect(stats).toMatchObject({ requested: 2, confirmed: 2, sent: 1, forgotten: 1, pending: 0 });
  });

  it("one-click unsubscribe (RFC 8058) forgets a pending reminder too", async () => {
    const link = await sentForgetLink("oneclick@example.com");
    await reminderAt(reminderBody({ email: "oneclick@example.com" }));
    const response = await call(`${link.pathname}${link.search}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
    expect((await rows()).filter((r) => r.status === "pending")).toHaveLength(0);
  });

  it("the pages escape the site's name and the form's action", () => {
    const confirm = forgetConfirmPage("en", HOSTILE, `/r/forget/x?${HOSTILE}`);
    expect(confirm).toContain(`<title>Forget my address — ${HOSTILE_HTML}</title>`);
    expect(confirm).toContain(`from ${HOSTILE_HTML}&#39;s reminder list`);
    expect(confirm).toContain(`<form method="post" action="/r/forget/x?${HOSTILE_HTML}">`);
    const done = forgetDonePage("en", HOSTILE);
    expect(done).toContain(`<p class="status" role="status">${HOSTILE_HTML} holds no reminder`);
    for (const page of [confirm, done]) expect(page).not.toMatch(/<script|<b>/);
  });

  it("a made-up token forgets nothing and gets the same page", async () => {
    await reminderAt();
    const response = await call(`/r/forget/${"A".repeat(43)}?site=demo&lang=en`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Your address is forgotten");
    expect((await rows())[0]).toMatchObject({ status: "pending", email: "reader@example.com" });
  });
});

describe("staff counts", () => {
  beforeEach(async () => {
    await clearLedger();
    await drain();
  });

  it("counts requested, confirmed, sent and converted (paid pledges with campaign=reminder)", async () => {
    // Asked for and never confirmed: requested, not confirmed, never sent.
    expect((await postReminder(reminderBody({ email: "never@example.com" }))).status).toBe(202);
    await confirmationLinks("never@example.com");
    await reminderAt(reminderBody({ email: "one@example.com" }));
    const { row } = await reminderAt(reminderBody({ email: "two@example.com" }));
    await dispatch(row.due_at);
    // A reader comes back through the tagged link and gives: the widget passes campaign=reminder.
    const { sessionId } = await startCheckout({ campaign: "reminder", frequency: "monthly", amount: 1000 });
    await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
    // An unpaid one with the same campaign does not count.
    await startCheckout({ campaign: "reminder" });
    // Nor does a paid pledge from another campaign.
    const other = await startCheckout({ campaign: "spring" });
    await control(`/_test/checkout/sessions/${other.sessionId}/complete`, { outcome: "succeeded" });
    await deliverAll();

    const response = await call("/admin/api/reminders/stats?site=demo", { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      site: "demo",
      campaign: "reminder",
      requested: 3,
      confirmed: 2,
      unconfirmed: 1,
      sent: 2,
      pending: 0,
      converted: 1,
      convertedByCurrency: [{ currency: "USD", pledges: 1, gross: 1000 }],
    });
    expect((await call("/admin/api/reminders/stats?site=nope", { headers: ADMIN })).status).toBe(404);
  });
});
