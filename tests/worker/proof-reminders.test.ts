import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import worker from "../../worker/index";
import { cleanPageUrl } from "../../worker/reminders/links";
import { MAX_REQUESTS_PER_ADDRESS } from "../../worker/reminders/request";
import { CONFIRM_TTL_MS } from "../../worker/reminders/store";
import { ADMIN, call, freshIp, insideOneWindow, ORIGIN } from "./helpers";

/**
 * Proof: "Remind me later" cannot be turned against a stranger. A request sends one
 * confirmation email (ours, with nothing the requester typed) and nothing else until the
 * address's owner confirms; it never changes an existing reminder; an address gets at most
 * three confirmations a day, and the answer never says whether an address is known.
 */

const DAY = 86_400_000;
const body = (overrides: Record<string, unknown> = {}) => ({
  site: "demo",
  email: "victim@example.com",
  when: "next_month",
  lang: "en",
  pageUrl: `${ORIGIN}/demo/council-vote`,
  ...overrides,
});
const post = (b: unknown, ip = freshIp()) =>
  call("/api/reminders", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN },
    body: JSON.stringify(b),
    ip,
  });

type Message = { to: string; kind: string; subject: string; text: string; html: string };
async function mail(kind?: string): Promise<Message[]> {
  const response = await call(`/admin/api/outbox?site=demo${kind ? `&kind=${kind}` : ""}&limit=200`, {
    headers: ADMIN,
  });
  return ((await response.json()) as { messages: Message[] }).messages.reverse();
}
async function mailAfter(expected: number, kind = "confirmation") {
  const deadline = Date.now() + 3000;
  let messages = await mail(kind);
  while (messages.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    messages = await mail(kind);
  }
  return messages;
}
const linkIn = (text: string) => /(http:\/\/localhost:8787\/r\/confirm\/\S+)/.exec(text)?.[1] ?? "";
const press = (link: string) => {
  const url = new URL(link);
  return call(`${url.pathname}${url.search}`, { method: "POST" });
};
const reminders = async () =>
  (
    await env.DB.prepare(
      "SELECT id, status, email, lang, remind_in, page_url, due_at FROM reminders ORDER BY created_at",
    ).all<{
      id: string;
      status: string;
      email: string | null;
      lang: string;
      remind_in: string;
      page_url: string;
      due_at: number;
    }>()
  ).results;

async function dispatchAt(now: number) {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`${ORIGIN}/admin/api/reminders/dispatch?now=${new Date(now).toISOString()}`, {
      method: "POST",
      headers: ADMIN,
    }),
    { ...env, ENVIRONMENT: "development" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return (await response.json()) as { sent: number };
}

/** The victim's own reminder, requested and confirmed by them. */
async function victimsReminder() {
  expect((await post(body())).status).toBe(202);
  const [confirmation] = await mailAfter(1);
  expect((await press(linkIn(confirmation?.text ?? ""))).status).toBe(200);
  const [row] = await reminders();
  expect(row?.status).toBe("pending");
  return row as NonNullable<typeof row>;
}

beforeEach(async () => {
  await env.DB.batch([env.DB.prepare("DELETE FROM reminders"), env.DB.prepare("DELETE FROM mail_outbox")]);
});

describe("proof: a reminder for a stranger's address", () => {
  it("sends them one confirmation and nothing else: no reminder goes out while it is unconfirmed", async () => {
    expect((await post(body({ email: "stranger@example.com" }))).status).toBe(202);
    const [confirmation] = await mailAfter(1);
    expect(confirmation).toMatchObject({ to: "stranger@example.com", kind: "confirmation" });
    expect(confirmation?.subject).toBe("Confirm your reminder from The Harbour Courier");
    // Months later, a dispatch sends nothing to the unconfirmed address.
    expect((await dispatchAt(Date.now() + 90 * DAY)).sent).toBe(0);
    expect(await mail("reminder")).toEqual([]);
    expect((await reminders())[0]).toMatchObject({ status: "unconfirmed", email: "stranger@example.com" });
  });

  it("opening the link (a mail scanner's GET) confirms nothing; only the button does, once", async () => {
    expect((await post(body({ email: "scanned@example.com" }))).status).toBe(202);
    const [confirmation] = await mailAfter(1);
    const link = new URL(linkIn(confirmation?.text ?? ""));
    const page = await call(`${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await reminders())[0]?.status).toBe("unconfirmed");
    expect((await press(link.toString())).status).toBe(200);
    const again = await press(link.toString());
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This link does not work");
    expect((await reminders()).map((r) => r.status)).toEqual(["pending"]);
  });

  it("a made-up or expired confirmation link confirms nothing, and the cron erases expired requests", async () => {
    expect((await post(body({ email: "late@example.com" }))).status).toBe(202);
    const [confirmation] = await mailAfter(1);
    expect((await press(`${ORIGIN}/r/confirm/${"A".repeat(43)}?site=demo`)).status).toBe(410);
    // 48 hours pass.
    await env.DB.prepare("UPDATE reminders SET created_at = created_at - ?")
      .bind(CONFIRM_TTL_MS + 1)
      .run();
    expect((await press(linkIn(confirmation?.text ?? ""))).status).toBe(410);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await reminders())[0]).toMatchObject({ status: "expired", email: null });
  });
});

describe("proof: an unconfirmed request never changes an existing reminder", () => {
  it("another date, language and page for the victim's address leave their reminder exactly as it was", async () => {
    const before = await victimsReminder();
    const attack = await post(
      body({ when: "next_week", lang: "ru", pageUrl: `${ORIGIN}/demo/other?text=Send+your+card+number` }),
    );
    expect(attack.status).toBe(202);
    await mailAfter(2);
    const [after] = (await reminders()).filter((r) => r.id === before.id);
    expect(after).toEqual(before);
    // On the victim's date the reminder they asked for goes out, with their article.
    expect((await dispatchAt(before.due_at)).sent).toBe(1);
    const [reminder] = await mail("reminder");
    expect(reminder?.text).toContain(`${ORIGIN}/demo/council-vote?rs_campaign=reminder`);
    expect(reminder?.text).not.toContain("card number");
    expect(reminder?.subject).toBe("Your reminder: support The Harbour Courier");
  });
});

describe("proof: nobody can write into our emails through the page address", () => {
  const hostile =
    "http://FREE-MONEY:Call-555-0100@localhost:8787/demo/story?msg=Call+555-0100+now&rs_campaign=x#Claim-prize";

  it("the page address is kept as origin and path (our campaign parameter aside)", () => {
    expect(cleanPageUrl(hostile)).toBe(`${ORIGIN}/demo/story?rs_campaign=x`);
    expect(cleanPageUrl(`${ORIGIN}/demo?a=1&b=2#c`)).toBe(`${ORIGIN}/demo`);
    expect(cleanPageUrl(`${ORIGIN}/demo?rs_campaign=${encodeURIComponent("<b>")}`)).toBe(`${ORIGIN}/demo`);
  });

  it("neither the confirmation nor the reminder carries the user part, the query or the fragment", async () => {
    expect((await post(body({ email: "reader@example.com", pageUrl: hostile }))).status).toBe(202);
    const [confirmation] = await mailAfter(1);
    for (const part of [confirmation?.text, confirmation?.html, confirmation?.subject])
      expect(part).not.toMatch(/FREE-MONEY|555-0100|Claim-prize|demo\/story/);
    expect((await reminders())[0]?.page_url).toBe(`${ORIGIN}/demo/story?rs_campaign=x`);
    expect((await press(linkIn(confirmation?.text ?? ""))).status).toBe(200);
    const [row] = await reminders();
    expect((await dispatchAt(row?.due_at ?? 0)).sent).toBe(1);
    const [reminder] = await mail("reminder");
    expect(reminder?.text).toContain(`${ORIGIN}/demo/story?rs_campaign=reminder`);
    expect(`${reminder?.text}${reminder?.html}`).not.toMatch(/FREE-MONEY|555-0100|Claim-prize/);
  });
});

describe("proof: confirmation emails are limited, and the answer says nothing about the address", () => {
  it(`at most ${MAX_REQUESTS_PER_ADDRESS} confirmations a day per address, from any number of clients; every answer identical`, async () => {
    const answers: string[] = [];
    for (let i = 0; i < MAX_REQUESTS_PER_ADDRESS + 3; i++) {
      const response = await post(body({ email: "flooded@example.com" }));
      expect(response.status).toBe(202);
      answers.push(await response.text());
    }
    await mailAfter(MAX_REQUESTS_PER_ADDRESS);
    await new Promise((r) => setTimeout(r, 200));
    expect((await mail("confirmation")).filter((m) => m.to === "flooded@example.com")).toHaveLength(
      MAX_REQUESTS_PER_ADDRESS,
    );
    expect(new Set(answers).size).toBe(1);
  });

  it("an address with a reminder and an unknown one get the very same answer", async () => {
    await victimsReminder();
    const known = await post(body());
    const unknown = await post(body({ email: "nobody-here@example.com" }));
    expect(known.status).toBe(unknown.status);
    expect(await known.text()).toBe(await unknown.text());
  });

  it("each client may ask five times a minute (the per-IP limit)", async () => {
    await insideOneWindow();
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await post(body({ email: `p${i}@example.com` }), ip)).status);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(5);
    expect(statuses.at(-1)).toBe(429);
    await mailAfter(5);
  }, 30_000);
});

describe("proof: links in reminder emails are on the public origin, whatever the request's Host", () => {
  it("a forged Host on POST /api/reminders: the confirmation link is still on PUBLIC_ORIGIN", async () => {
    const response = await exports.default.fetch(
      new Request("https://attacker.example/api/reminders", {
        method: "POST",
        headers: {
          host: "attacker.example",
          origin: ORIGIN,
          "content-type": "application/json",
          "cf-connecting-ip": freshIp(),
        },
        body: JSON.stringify(body({ email: "host@example.com" })),
      }),
    );
    expect(response.status).toBe(202);
    const [confirmation] = await mailAfter(1);
    expect(linkIn(confirmation?.text ?? "")).toMatch(/^http:\/\/localhost:8787\/r\/confirm\//);
    expect(`${confirmation?.text}${confirmation?.html}`).not.toContain("attacker.example");
    // And the reminder's forget-me and List-Unsubscribe links.
    await press(linkIn(confirmation?.text ?? ""));
    await dispatchAt((await reminders())[0]?.due_at ?? 0);
    const reminder = (await call("/admin/api/outbox?site=demo&kind=reminder", { headers: ADMIN }).then((r) =>
      r.json(),
    )) as { messages: { headers: Record<string, string>; text: string }[] };
    expect(reminder.messages[0]?.headers["List-Unsubscribe"]).toMatch(/^<http:\/\/localhost:8787\/r\/forget\//);
    expect(reminder.messages[0]?.text).not.toContain("attacker.example");
  });
});

describe("optional Turnstile, and no request where no email can go", () => {
  async function withEnv(vars: Record<string, unknown>, b: unknown) {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`${ORIGIN}/api/reminders`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": freshIp() },
        body: JSON.stringify(b),
      }),
      { ...env, ...vars },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  }

  it("with a Turnstile secret, a request without a valid token is refused and nothing is sent", async () => {
    const secret = { TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA" };
    const missing = await withEnv(secret, body({ email: "bot@example.com" }));
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("turnstile_failed");
    expect((await withEnv(secret, body({ email: "bot@example.com", turnstileToken: "made-up" }))).status).toBe(403);
    expect(await reminders()).toEqual([]);
    expect(await mail()).toEqual([]);
  });

  it("without a transport that reaches readers (production's outbox), 503 and nothing stored", async () => {
    const response = await withEnv({ ENVIRONMENT: "production", MAIL_TRANSPORT: "outbox" }, body());
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("mail_unavailable");
    expect(await reminders()).toEqual([]);
  });
});
