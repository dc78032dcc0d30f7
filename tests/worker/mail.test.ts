import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { database } from "../../worker/platform/db";
import type { WorkerEnv } from "../../worker/platform/env";
import { fromHeader, type MailMessage, maskAddress } from "../../worker/platform/mail/message";
import { buildMime, encodeHeaderWord } from "../../worker/platform/mail/mime";
import { listOutbox, purgeOutbox } from "../../worker/platform/mail/outbox";
import { sendMail } from "../../worker/platform/mail/send";

const db = database(env.DB);

import {
  cloudflareTransport,
  NOT_DELIVERED,
  outboxTransport,
  resendTransport,
  type Transport,
  transportFor,
} from "../../worker/platform/mail/transports";

const message = (overrides: Partial<MailMessage> = {}): MailMessage => ({
  kind: "reminder",
  site: "demo",
  from: fromHeader("The Harbour Courier", "support@courier.example.org"),
  to: "reader@example.com",
  subject: "Напоминание: поддержите The Harbour Courier",
  text: "Здравствуйте!\nСсылка: https://courier.example.org/a?rs_campaign=reminder\n",
  html: "<p>Здравствуйте!</p>",
  headers: {
    "List-Unsubscribe": "<https://support.example.org/r/forget/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  },
  ...overrides,
});

const decodeBase64 = (text: string) =>
  new TextDecoder().decode(Uint8Array.from(atob(text.replace(/\r\n/g, "")), (c) => c.charCodeAt(0)));

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM mail_outbox").run();
});

describe("MIME for the send_email binding", () => {
  const raw = buildMime(message(), {
    date: new Date(Date.UTC(2026, 4, 1, 8, 0, 0)),
    messageId: "abc@courier.example.org",
    boundary: "rs-boundary",
  });
  const [head = "", ...rest] = raw.split("\r\n\r\n");

  it("has the headers a mail server expects, with CRLF line ends and an encoded UTF-8 subject", () => {
    expect(head).toContain('From: "The Harbour Courier" <support@courier.example.org>');
    expect(head).toContain("To: reader@example.com");
    expect(head).toContain("Date: Fri, 01 May 2026 08:00:00 +0000");
    expect(head).toContain("Message-ID: <abc@courier.example.org>");
    expect(head).toContain("MIME-Version: 1.0");
    expect(head).toContain("List-Unsubscribe: <https://support.example.org/r/forget/abc>");
    expect(head).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(head).toContain('Content-Type: multipart/alternative; boundary="rs-boundary"');
    const subject = /Subject: (.*)/.exec(head)?.[1] ?? "";
    expect(subject).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    expect(decodeBase64(subject.slice(10, -2))).toBe("Напоминание: поддержите The Harbour Courier");
    expect(raw.replace(/\r\n/g, "")).not.toContain("\n");
    expect(raw.endsWith("--rs-boundary--\r\n")).toBe(true);
  });

  it("carries the text and the HTML as base64 UTF-8 parts", () => {
    const body = rest.join("\r\n\r\n");
    const parts = body.split("--rs-boundary").slice(1, 3);
    expect(parts[0]).toContain("Content-Type: text/plain; charset=UTF-8");
    expect(parts[1]).toContain("Content-Type: text/html; charset=UTF-8");
    const decoded = parts.map((p) => decodeBase64(p.split("\r\n\r\n")[1] ?? ""));
    expect(decoded[0]).toBe(message().text);
    expect(decoded[1]).toBe(message().html);
    for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
  });

  it("never lets a header value start a new header", () => {
    const injected = buildMime(message({ subject: "Hi\r\nBcc: everyone@example.com" }), {
      date: new Date(0),
      messageId: "x@y",
      boundary: "b",
    });
    expect(injected).not.toMatch(/\r\nBcc:/);
    expect(encodeHeaderWord("plain ascii")).toBe("plain ascii");
  });

  it("encodes a non-ASCII display name and masks addresses for staff", () => {
    expect(fromHeader("Курьер", "a@b.org")).toMatch(/^=\?UTF-8\?B\?.+\?= <a@b\.org>$/);
    expect(maskAddress("reader@example.com")).toBe("r•••@example.com");
  });
});

describe("transports", () => {
  it("cloudflare: hands a hand-built MIME message to the send_email binding", async () => {
    const sent: { from: string; to: string; raw: string }[] = [];
    const binding = { send: async () => ({ messageId: "m" }) } as unknown as SendEmail;
    const transport = cloudflareTransport(binding, (from, to, raw) => {
      sent.push({ from, to, raw });
      return {} as never;
    });
    const result = await transport.send(message(), "reminder:1");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.from).toBe("support@courier.example.org");
    expect(sent[0]?.to).toBe("reader@example.com");
    expect(sent[0]?.raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(result.providerId).toMatch(/@courier\.example\.org$/);
  });

  it("resend: posts JSON with the key and an idempotency key; a refusal throws with Resend's message", async () => {
    const requests: Request[] = [];
    const ok = resendTransport("re_test_key", async (input, init) => {
      requests.push(new Request(input as string, init));
      return Response.json({ id: "email_123" });
    });
    expect(await ok.send(message(), "reminder:rem_1")).toEqual({ providerId: "email_123" });
    const request = requests[0];
    expect(request?.url).toBe("https://api.resend.com/emails");
    expect(request?.headers.get("authorization")).toBe("Bearer re_test_key");
    expect(request?.headers.get("idempotency-key")).toBe("reminder:rem_1");
    expect(await request?.json()).toMatchObject({
      to: ["reader@example.com"],
      subject: message().subject,
      text: message().text,
      html: message().html,
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
    const refused = resendTransport("bad", async () =>
      Response.json({ statusCode: 403, message: "The domain is not verified" }, { status: 403 }),
    );
    await expect(refused.send(message(), "k")).rejects.toThrow("resend 403: The domain is not verified");
  });

  it("outside development and tests the outbox delivers nothing and keeps no message: each send fails, saying why", async () => {
    const base = env as unknown as WorkerEnv;
    for (const vars of [
      { ENVIRONMENT: "production", OUTBOX_KEEPS_MESSAGES: "off" },
      { ENVIRONMENT: "production", OUTBOX_KEEPS_MESSAGES: "on" }, // refused in production
      { ENVIRONMENT: "staging", OUTBOX_KEEPS_MESSAGES: "off" },
    ]) {
      const transport = transportFor({ ...base, ...vars, MAIL_TRANSPORT: "outbox" });
      expect(transport.keepsContent).toBe(false);
      await expect(transport.send(message(), "k")).rejects.toThrow(NOT_DELIVERED);
    }
    expect(transportFor({ ...base, MAIL_TRANSPORT: "outbox" })).toBe(outboxTransport);
  });

  it("MAIL_TRANSPORT chooses the transport; a missing secret fails sends loudly instead of dropping them", async () => {
    const base = env as unknown as WorkerEnv;
    expect(transportFor({ ...base, MAIL_TRANSPORT: "outbox" }).name).toBe("outbox");
    expect(transportFor({ ...base, MAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_x" }).name).toBe("resend");
    const noKey = transportFor({ ...base, MAIL_TRANSPORT: "resend", RESEND_API_KEY: undefined });
    await expect(noKey.send(message(), "k")).rejects.toThrow("RESEND_API_KEY");
    const noBinding = transportFor({ ...base, MAIL_TRANSPORT: "cloudflare", SEND_EMAIL: undefined });
    await expect(noBinding.send(message(), "k")).rejects.toThrow("SEND_EMAIL");
    await expect(transportFor({ ...base, MAIL_TRANSPORT: "smtp" }).send(message(), "k")).rejects.toThrow(
      "unknown MAIL_TRANSPORT",
    );
  });
});

describe("sendMail and the outbox", () => {
  const counting = (fail = false) => {
    const calls: string[] = [];
    const transport: Transport = {
      name: "resend",
      keepsContent: false,
      async send(_m, key) {
        calls.push(key);
        if (fail) throw new Error("provider down");
        return { providerId: "p1" };
      },
    };
    return { calls, transport };
  };

  it("sends a key once: a second call is already_sent and the transport is not called again", async () => {
    const { calls, transport } = counting();
    expect((await sendMail(db, transport, message(), "reminder:a", 1000)).status).toBe("sent");
    expect((await sendMail(db, transport, message(), "reminder:a", 2000)).status).toBe("already_sent");
    expect(calls).toEqual(["reminder:a"]);
    const [row] = await listOutbox(db, { limit: 10 });
    // A real provider's row keeps no address and no body.
    expect(row).toMatchObject({ status: "sent", to: "r•••@example.com", text: null, html: null, attempts: 1 });
  });

  it("records a failure, and a later attempt takes the failed row over (no second row)", async () => {
    const down = counting(true);
    const failed = await sendMail(db, down.transport, message(), "reminder:b", 1000);
    expect(failed).toMatchObject({ status: "failed", error: "provider down" });
    const up = counting();
    expect((await sendMail(db, up.transport, message(), "reminder:b", 2000)).status).toBe("sent");
    const rows = await listOutbox(db, { limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "sent", attempts: 2, error: null });
  });

  it("does not send a key another run is sending, unless that run went quiet for ten minutes", async () => {
    let release!: () => void;
    const slow: Transport = {
      ...outboxTransport,
      send: () => new Promise((resolve) => (release = () => resolve({ providerId: null }))),
    };
    const first = sendMail(db, slow, message(), "reminder:c", 1000);
    await new Promise((r) => setTimeout(r, 50));
    const { calls, transport } = counting();
    expect((await sendMail(db, transport, message(), "reminder:c", 2000)).status).toBe("busy");
    expect(calls).toEqual([]);
    release();
    expect((await first).status).toBe("sent");

    await env.DB.prepare("UPDATE mail_outbox SET status = 'sending', updated_at = 0 WHERE key = 'reminder:c'").run();
    expect((await sendMail(db, transport, message(), "reminder:c", 11 * 60_000)).status).toBe("sent");
  });

  it("the local outbox keeps the whole message for staff, and old rows are purged", async () => {
    await sendMail(db, outboxTransport, message(), "manage:x", Date.now());
    const [row] = await listOutbox(db, { site: "demo", limit: 5 });
    expect(row).toMatchObject({ to: "reader@example.com", text: message().text, html: message().html });
    expect(row?.headers).toEqual(message().headers);
    expect(await purgeOutbox(db, Date.now() + 31 * 86_400_000)).toBe(1);
    expect(await listOutbox(db, { limit: 5 })).toHaveLength(0);
  });
});
