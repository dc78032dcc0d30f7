/**
 * What an email is for; staff filter the outbox by it. Reminders and their confirmations, manage
 * links, the confirmation of a change a supporter made at /manage, and the emails supporters
 * receive after Stripe's events (supporter-mail/).
 */
export const MAIL_KINDS = [
  "reminder",
  "confirmation",
  "manage",
  "change",
  "receipt",
  "payment_failed",
  "payment_failed_again",
  "payment_recovered",
  "renewal_notice",
  "checkout_recovery",
  "statement",
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** One email as the worker composes it, before any transport turns it into MIME or JSON. */
export type MailMessage = {
  kind: MailKind;
  site: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra ASCII headers, e.g. List-Unsubscribe. */
  headers: Record<string, string>;
};

/** `reader@example.com` → `r•••@example.com`: enough for staff to tell addresses apart, not to read one. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${address[0]}•••${address.slice(at)}`;
}

/** `The Courier <support@x.org>`: the site's name as display name, quoted or RFC 2047-encoded. */
export function fromHeader(displayName: string, address: string): string {
  const name = displayName.replace(/["\\\r\n]/g, "").trim();
  if (!name) return address;
  const ascii = /^[\x20-\x7e]*$/.test(name);
  const encoded = ascii ? `"${name}"` : `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode(name)))}?=`;
  return `${encoded} <${address}>`;
}
