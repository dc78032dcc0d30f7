import { and, eq, lt, or, sql } from "drizzle-orm";
import type { Database } from "../db";
import { mailOutbox } from "../schema";
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
  db: Database,
  transport: Transport,
  message: MailMessage,
  key: string,
  now: number,
): Promise<SendOutcome> {
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const keep = transport.keepsContent;
  const row = {
    recipient: keep ? message.to : maskAddress(message.to),
    transport: transport.name,
    subject: message.subject,
    textBody: keep ? message.text : null,
    htmlBody: keep ? message.html : null,
    headers: keep ? JSON.stringify(message.headers) : null,
  };
  // Insert, or take over a failed attempt or one that has been "sending" for too long.
  const claimed = await db
    .insert(mailOutbox)
    .values({
      id,
      key,
      kind: message.kind,
      site: message.site,
      ...row,
      status: "sending",
      attempts: 1,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: mailOutbox.key,
      set: { ...row, status: "sending", attempts: sql`${mailOutbox.attempts} + 1`, updatedAt: now, lastError: null },
      setWhere: or(
        eq(mailOutbox.status, "failed"),
        and(eq(mailOutbox.status, "sending"), lt(mailOutbox.updatedAt, now - STALE_SENDING_MS)),
      ),
    })
    .returning({ id: mailOutbox.id })
    .get();
  if (!claimed) {
    const existing = await db
      .select({ id: mailOutbox.id, status: mailOutbox.status })
      .from(mailOutbox)
      .where(eq(mailOutbox.key, key))
      .get();
    return existing?.status === "sent" ? { status: "already_sent", outboxId: existing.id } : { status: "busy" };
  }
  try {
    const { providerId } = await transport.send(message, key);
    await db
      .update(mailOutbox)
      .set({ status: "sent", providerId, sentAt: now, updatedAt: now })
      .where(eq(mailOutbox.id, claimed.id));
    return { status: "sent", outboxId: claimed.id };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    await db
      .update(mailOutbox)
      .set({ status: "failed", lastError: reason, updatedAt: now })
      .where(eq(mailOutbox.id, claimed.id));
    return { status: "failed", outboxId: claimed.id, error: reason };
  }
}
