import type { MailMessage } from "./message";

/**
 * A MIME message built by hand for Cloudflare's `send_email` binding (no dependency):
 * multipart/alternative with a UTF-8 text part and an HTML part, both base64 so Russian
 * text and long lines survive any relay. Pure: the date, Message-ID and boundary are passed in.
 */
export function buildMime(message: MailMessage, meta: { date: Date; messageId: string; boundary: string }): string {
  const headers: [string, string][] = [
    ["From", message.from],
    ["To", message.to],
    ["Subject", encodeHeaderWord(message.subject)],
    ["Date", meta.date.toUTCString().replace("GMT", "+0000")],
    ["Message-ID", `<${meta.messageId}>`],
    ["MIME-Version", "1.0"],
    ...Object.entries(message.headers),
    ["Content-Type", `multipart/alternative; boundary="${meta.boundary}"`],
  ];
  const part = (type: string, body: string) =>
    [
      `--${meta.boundary}`,
      `Content-Type: ${type}; charset=UTF-8`,
      "Content-Transfer-Encoding: base64",
      "",
      base64Lines(body),
    ].join("\r\n");
  return [
    ...headers.map(([name, value]) => `${name}: ${headerValue(value)}`),
    "",
    part("text/plain", message.text),
    part("text/html", message.html),
    `--${meta.boundary}--`,
    "",
  ].join("\r\n");
}

/** RFC 2047 encoded word for a header with non-ASCII text; ASCII passes through. */
export function encodeHeaderWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${toBase64(new TextEncoder().encode(text))}?=`;
}

/** A header value can never start a new header (no CR/LF injection). */
const headerValue = (value: string) => value.replace(/[\r\n]+/g, " ");

function base64Lines(text: string): string {
  const encoded = toBase64(new TextEncoder().encode(text));
  return encoded.match(/.{1,76}/g)?.join("\r\n") ?? "";
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
