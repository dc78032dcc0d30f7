import type { MailMessage } from "./message";
import { maskAddress } from "./message";
import type { Transport } from "./transports";

/** A send that another run started this long ago and never finished may be taken over. */
export const STALE_SENDING_MS = 10 * 60_000;

export type SendOutcome =
  | { status: "sent"; outboxId: string }
  /** This key was sent before: nothing was sent now. */
  | { status: "already_sent"; outboxId: string }
  /** Another run is sending this key right now: nothing was sent now. */
  | { status: "busy" }
  | { status: "failed"; outboxId: string; error: string };

/**
 * Sends one message at most once per `key`, recording it in the outbox with its status.
 * The outbox row is claimed atomically first (insert, or take over a failed/stale attempt),
 * so two runs with the same key never both call the transport.
 */
export async function sendMail(
  db: D1Database,
  transport: Transport,
  message: MailMessage,
  key: string,
  now: number,
): Promise<SendOutcome> {
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const keep = transport.keepsContent;
  const claimed = await db
    .prepare(
      `INSERT INTO mail_outbox (id, key, kind, site, transport, recipient, subject, text_body, html_body, headers,
                                status, attempts, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'sending', 1, ?11, ?11)
       ON CONFLICT (key) DO UPDATE SET status = 'sending', attempts = attempts + 1, updated_at = ?11,
         transport = excluded.transport, recipient = excluded.recipient, subject = excluded.subject,
         text_body = excluded.text_body, html_body = excluded.html_body, headers = excluded.headers, last_error = NULL
       WHERE mail_outbox.status = 'failed' OR (mail_outbox.status = 'sending' AND mail_outbox.updated_at < ?12)
       RETURNING id`,
    )
    .bind(
      id,
      key,
      message.kind,
      message.site,
      transport.name,
      keep ? message.to : maskAddress(message.to),
      message.subject,
      keep ? message.text : null,
      keep ? message.html : null,
      keep ? JSON.stringify(message.headers) : null,
      now,
      now - STALE_SENDING_MS,
    )
    .first<{ id: string }>();
  if (!claimed) {
    const existing = await db
      .prepare("SELECT id, status FROM mail_outbox WHERE key = ?")
      .bind(key)
      .first<{ id: string; status: string }>();
    return existing?.status === "sent" ? { status: "already_sent", outboxId: existing.id } : { status: "busy" };
  }
  try {
    const { providerId } = await transport.send(message, key);
    await db
      .prepare("UPDATE mail_outbox SET status = 'sent', provider_id = ?1, sent_at = ?2, updated_at = ?2 WHERE id = ?3")
      .bind(providerId, now, claimed.id)
      .run();
    return { status: "sent", outboxId: claimed.id };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    await db
      .prepare("UPDATE mail_outbox SET status = 'failed', last_error = ?1, updated_at = ?2 WHERE id = ?3")
      .bind(reason, now, claimed.id)
      .run();
    return { status: "failed", outboxId: claimed.id, error: reason };
  }
}
