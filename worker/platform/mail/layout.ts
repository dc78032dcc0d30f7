import { html } from "hono/html";
import { type Html, htmlText } from "../html";

/**
 * The simple HTML every email of ours shares (inline styles: mail clients drop stylesheets).
 * Built with `html`, so text passed in is escaped; `body` is the blocks made by the helpers below.
 */
export function emailHtml(lang: string, subject: string, body: Html[]): string {
  return htmlText(html`<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>${subject}</title></head>
<body style="margin:0;padding:24px;background:#f6f5f1;color:#1d1d1b;font:16px/1.5 Georgia,'Times New Roman',serif">
<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:6px">
${body}
</div>
</body>
</html>`);
}

/** A paragraph of text. */
export const emailParagraph = (text: string) => html`<p>${text}</p>\n`;

/** A link styled as a button. */
export const emailButton = (url: string, label: string) =>
  html`<p><a href="${url}" style="display:inline-block;background:#1d1d1b;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none;font-family:Arial,sans-serif">${label}</a></p>\n`;

/** Small print: text, or a fragment built with `html` (e.g. with a link). */
export const emailSmallPrint = (content: string | Html) => html`<p style="color:#555;font-size:14px">${content}</p>\n`;
