import { EmailMessage } from "cloudflare:email";
import { outboxKeepsMessages } from "../deployment";
import type { WorkerEnv } from "../env";
import type { MailMessage } from "./message";
import { buildMime } from "./mime";

/** Something that delivers a message, or throws saying why it could not. */
export type Transport = {
  name: "outbox" | "cloudflare" | "resend";
  /** Whether the outbox row keeps the full message (only when the outbox *is* the mailbox). */
  keepsContent: boolean;
  /** `key` is stable across retries of the same message, for providers with idempotency. */
  send(message: MailMessage, key: string): Promise<{ providerId: string | null }>;
};

/**
 * The D1 outbox as the mailbox, for development and tests (OUTBOX_KEEPS_MESSAGES = "on", never in
 * production): the outbox row is the delivery, and staff read it at /admin/api/outbox.
 */
export const outboxTransport: Transport = {
  name: "outbox",
  keepsContent: true,
  async send() {
    return { providerId: null };
  },
};

/** Why the outbox delivers nothing where it may not keep messages. */
export const NOT_DELIVERED = 'not delivered: MAIL_TRANSPORT is "outbox" (set "resend" or "cloudflare")';

/**
 * The outbox anywhere else: it delivers nothing, so each send is recorded as failed, with only
 * a masked address and the subject: no body, no link.
 */
export const undeliveredOutbox: Transport = {
  name: "outbox",
  keepsContent: false,
  async send() {
    throw new Error(NOT_DELIVERED);
  },
};

/** Whether this deployment can get an email to a reader (or, locally, into the readable outbox). */
export const mailCanReachReaders = (env: WorkerEnv) =>
  (env.MAIL_TRANSPORT ?? "outbox") === "outbox" ? outboxKeepsMessages(env) : true;

/** Cloudflare Email Routing's `send_email` binding, with a hand-built MIME message. */
export function cloudflareTransport(
  binding: SendEmail,
  make: (from: string, to: string, raw: string) => EmailMessage = (from, to, raw) => new EmailMessage(from, to, raw),
): Transport {
  return {
    name: "cloudflare",
    keepsContent: false,
    async send(message) {
      const domain = message.from.slice(message.from.lastIndexOf("@") + 1).replace(/>$/, "") || "localhost";
      const messageId = `${crypto.randomUUID()}@${domain}`;
      const raw = buildMime(message, { date: new Date(), messageId, boundary: `rs-${crypto.randomUUID()}` });
      await binding.send(make(bareAddress(message.from), message.to, raw));
      return { providerId: messageId };
    },
  };
}

/** Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email); the key is a secret. */
export function resendTransport(apiKey: string, fetcher: typeof fetch = fetch): Transport {
  return {
    name: "resend",
    keepsContent: false,
    async send(message, key) {
      const response = await fetcher("https://api.resend.com/emails", {
        method: "POST",
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          // Resend remembers this for 24 hours: a retried send after a lost answer is not delivered twice.
          "idempotency-key": key.slice(0, 256),
        },
        body: JSON.stringify({
          from: message.from,
          to: [message.to],
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json().catch(() => ({}))) as { id?: string; message?: string };
      if (!response.ok) throw new Error(`resend ${response.status}: ${body.message ?? "no message"}`);
      return { providerId: body.id ?? null };
    },
  };
}

/** The transport MAIL_TRANSPORT names; a misconfiguration fails every send loudly (recorded as failed). */
export function transportFor(env: WorkerEnv): Transport {
  switch (env.MAIL_TRANSPORT ?? "outbox") {
    case "outbox":
      return outboxKeepsMessages(env) ? outboxTransport : undeliveredOutbox;
    case "cloudflare":
      if (!env.SEND_EMAIL) return broken("cloudflare", "the SEND_EMAIL binding is missing (wrangler.toml send_email)");
      return cloudflareTransport(env.SEND_EMAIL);
    case "resend":
      if (!env.RESEND_API_KEY)
        return broken("resend", "RESEND_API_KEY is not set (wrangler secret put RESEND_API_KEY)");
      return resendTransport(env.RESEND_API_KEY);
    default:
      return broken("outbox", `unknown MAIL_TRANSPORT "${env.MAIL_TRANSPORT}" (use outbox, cloudflare or resend)`);
  }
}

/** The sender address configured for this deployment. */
export const mailFrom = (env: WorkerEnv) => env.MAIL_FROM || "support@localhost";

function broken(name: Transport["name"], reason: string): Transport {
  return {
    name,
    keepsContent: false,
    async send() {
      throw new Error(reason);
    },
  };
}

/** `Courier <support@x.org>` → `support@x.org` (the envelope sender). */
function bareAddress(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}
