import { escapeHtml } from "./message";

/**
 * The simple HTML every email of ours shares (inline styles: mail clients drop stylesheets).
 * Text passed in is escaped; `body` is HTML built with the helpers below.
 */
export function emailHtml(lang: string, subject: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f6f5f1;color:#1d1d1b;font:16px/1.5 Georgia,'Times New Roman',serif">
<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:6px">
${body}
</div>
</body>
</html>`;
}

/** A paragraph of text. */
export const emailParagraph = (text: string) => `<p>${escapeHtml(text)}</p>`;

/** A link styled as a button. */
export const emailButton = (url: string, label: string) =>
  `<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#1d1d1b;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none;font-family:Arial,sans-serif">${escapeHtml(label)}</a></p>`;

/** Small print; `html` must already be escaped. */
export const emailSmallPrint = (html: string) => `<p style="color:#555;font-size:14px">${html}</p>`;
