import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { requestManageLinks } from "../../worker/manage/request";
import { NOT_DELIVERED } from "../../worker/platform/mail/transports";
import { findSite } from "../../worker/platform/sites";
import { ADMIN, call, clearLedger, control, deliverAll, drain, ORIGIN, startCheckout } from "./helpers";

/**
 * Links the worker writes into emails start with PUBLIC_ORIGIN, whatever Host the request
 * claims; without a public origin the worker sends no link at all.
 */

const demo = findSite("demo");
if (!demo) throw new Error("demo site missing");

type Message = { to: string; text: string; html: string; headers: Record<string, string> | null };
async function outbox(kind: "manage" | "reminder"): Promise<Message[]> {
  const response = await call(`/admin/api/outbox?site=demo&kind=${kind}`, { headers: ADMIN });
  return ((await response.json()) as { messages: Message[] }).messages;
}
async function outboxAfter(kind: "manage" | "reminder", expected: number): Promise<Message[]> {
  const deadline = Date.now() + 3000;
  let messages = await outbox(kind);
  while (messages.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    messages = await outbox(kind);
  }
  return messages;
}

/** A request as an attacker would send it: to the worker, but naming their own host. */
function forgedHost(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("host", "attacker.example");
  headers.set("x-forwarded-host", "attacker.example");
  headers.set("cf-connecting-ip", `203.0.113.${Math.floor(Math.random() * 200)}`);
  return exports.default.fetch(new Request(`https://attacker.example${path}`, { ...init, headers }));
}

async function monthlySupporter(email: string) {
  const { sessionId } = await startCheckout({ frequency: "monthly", amount: 1000, email });
  await control(`/_test/checkout/sessions/${sessionId}/complete`, { outcome: "succeeded" });
  await deliverAll();
}

beforeEach(async () => {
  await clearLedger();
  await drain();
  await env.DB.batch([env.DB.prepare("DELETE FROM mail_outbox"), env.DB.prepare("DELETE FROM manage_links")]);
});

describe("a forged Host never reaches an email", () => {
  it("POST /manage with Host: attacker.example mails a link on the public origin", async () => {
    await monthlySupporter("supporter@example.com");
    const response = await forgedHost("/manage", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ site: "demo", lang: "en", email: "supporter@example.com" }).toString(),
    });
    expect(response.status).toBe(200);
    const [message] = await outboxAfter("manage", 1);
    if (!message) throw new Error("no manage email");
    expect(message.text).toMatch(new RegExp(`${ORIGIN}/manage/open/\\S+`));
    expect(message.text).not.toContain("attacker.example");
    expect(message.html).not.toContain("attacker.example");
  });
});

describe("without a public origin the worker builds no link", () => {
  it("a manage request sends nothing and says why in the error", async () => {
    await monthlySupporter("nowhere@example.com");
    await expect(
      requestManageLinks(
        { ...env, PUBLIC_ORIGIN: "" },
        { site: demo, email: "nowhere@example.com", lang: "en", returnUrl: ORIGIN },
        Date.now(),
      ),
    ).rejects.toThrow(/PUBLIC_ORIGIN/);
    for (const bad of ["attacker.example", "https://support.example.org/path", "ftp://support.example.org"])
      await expect(
        requestManageLinks(
          { ...env, PUBLIC_ORIGIN: bad },
          { site: demo, email: "nowhere@example.com", lang: "en", returnUrl: ORIGIN },
          Date.now(),
        ),
      ).rejects.toThrow(/PUBLIC_ORIGIN/);
    expect(await outbox("manage")).toHaveLength(0);
  });

  it("the form still answers the reader the same way (the failure is in the log, not on the page)", async () => {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`${ORIGIN}/manage`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "203.0.113.250" },
        body: new URLSearchParams({ site: "demo", lang: "en", email: "someone@example.com" }).toString(),
      }),
      { ...env, PUBLIC_ORIGIN: "" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Check your inbox");
    expect(await outbox("manage")).toHaveLength(0);
  });
});

describe("mail in production without a real transport", () => {
  const production = { ENVIRONMENT: "production", MAIL_TRANSPORT: "outbox", OUTBOX_KEEPS_MESSAGES: "on" };
  async function inProduction(path: string, init: RequestInit = {}) {
    const ctx = createExecutionContext();
    const headers = new Headers(init.headers);
    headers.set("cf-connecting-ip", `203.0.113.${Math.floor(Math.random() * 200)}`);
    const response = await app.fetch(
      new Request(`${ORIGIN}${path}`, { ...init, headers }),
      { ...env, ...production },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  }

  it("a manage link is not delivered, and the outbox keeps neither the address, nor the body, nor the link", async () => {
    await monthlySupporter("kept-private@example.com");
    const response = await inProduction("/manage", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ site: "demo", lang: "en", email: "kept-private@example.com" }).toString(),
    });
    expect(response.status).toBe(200);
    // The supporter's receipt went out with the test's own transport; only the manage email is in production.
    const rows = (await env.DB.prepare("SELECT * FROM mail_outbox WHERE kind = 'manage'").all()).results;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      recipient: "k•••@example.com",
      status: "failed",
      text_body: null,
      html_body: null,
      headers: null,
      last_error: NOT_DELIVERED,
    });
    expect(JSON.stringify(rows)).not.toContain("/manage/open/");
  });

  it("staff see a warning, and the ask offers no reminder form", async () => {
    const page = await inProduction("/admin?site=demo", { headers: ADMIN });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("This deployment needs attention");
    expect(html).toContain("No email is delivered: MAIL_TRANSPORT is &quot;outbox&quot;");
    const config = (await (await inProduction("/api/config?site=demo")).json()) as { reminders: boolean };
    expect(config.reminders).toBe(false);
    // With a real transport configured, neither.
    const ctx = createExecutionContext();
    const resend = await app.fetch(
      new Request(`${ORIGIN}/api/config?site=demo`),
      { ...env, ...production, MAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" },
      ctx,
    );
    expect(((await resend.json()) as { reminders: boolean }).reminders).toBe(true);
  });
});
