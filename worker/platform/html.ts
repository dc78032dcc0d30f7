import { html } from "hono/html";

/**
 * A fragment built with Hono's `html` tagged template, the worker's one HTML escaper: every
 * interpolated string is escaped (& < > " '), numbers are written as they are, null, undefined
 * and booleans write nothing, arrays are written item by item, and another `html` fragment is
 * nested as it is (it was escaped when it was built). The type includes a Promise because
 * `html` returns one when a child is a Promise; we never pass one, so ours are synchronous.
 */
export type Html = ReturnType<typeof html>;

/** The string a fragment holds, for a response body or an email part. */
export function htmlText(fragment: Html): string {
  if (fragment instanceof Promise) throw new TypeError("An HTML fragment was given a Promise; ours are synchronous.");
  return fragment.toString();
}

/** The parts of one page of the worker's own (no inline script or style, one stylesheet). */
export type HtmlPage = {
  lang: string;
  title: string;
  /** The page's one stylesheet (the staff view and the reader pages each have their own look). */
  stylesheet: string;
  /** The robots meta tag's content. */
  robots: string;
  /** Also say `no-referrer` in a meta tag, for the reader pages whose links carry tokens. */
  noReferrer?: boolean;
  /** Before `<main>`: a skip link, a top bar. */
  header?: Html;
  /** Attributes of `<main>`. */
  main: { id?: string; class: string };
  body: Html;
  /** After `<main>`. */
  footer?: Html;
};

/** The page shell of every HTML page the worker serves (the demo article imitates a publisher's own page instead). */
export function htmlPage(page: HtmlPage): string {
  return htmlText(html`<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="${page.robots}">
${page.noReferrer ? html`<meta name="referrer" content="no-referrer">\n` : ""}<title>${page.title}</title>
<link rel="stylesheet" href="${page.stylesheet}">
</head>
<body>
${page.header ? html`${page.header}\n` : ""}<main${page.main.id ? html` id="${page.main.id}"` : ""} class="${page.main.class}">
${page.body}
</main>
${page.footer ? html`${page.footer}\n` : ""}</body>
</html>`);
}
