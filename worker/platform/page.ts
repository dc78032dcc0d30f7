import type { MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import { type Html, htmlPage } from "./html";

/** Where the pages' stylesheet is served (no inline styles: the pages' CSP is `style-src 'self'`). */
export const STYLESHEET_PATH = "/manage/style.css";

/**
 * A reader-facing page (manage your support, forget my address): the same calm look as the
 * ask, one column, system fonts, no scripts. `body` is a fragment built with `html`.
 */
export function readerPage(input: { lang: string; title: string; siteName: string; body: Html }): string {
  return htmlPage({
    lang: input.lang,
    title: `${input.title} — ${input.siteName}`,
    stylesheet: STYLESHEET_PATH,
    robots: "noindex",
    noReferrer: true,
    main: { class: "card" },
    body: html`<p class="publisher">${input.siteName}</p>
${input.body}`,
  });
}

/** What a reader page's handler may tell `readerPageHeaders` about the response. */
export type ReaderPageEnv = {
  Variables: {
    /**
     * Set when the page's form is answered with a redirect to Stripe: CSP `form-action` also
     * governs where a submission may be redirected, so such a page must not restrict it.
     */
    formLeavesSite?: boolean;
  };
};

/** The reader pages' headers: their CSP, no referrer, no sniffing, HTTPS only; none of secureHeaders' other defaults. */
const policy = (formAction: boolean) =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      ...(formAction ? { formAction: ["'self'"] } : {}),
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "no-referrer",
    xContentTypeOptions: true,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });

const ownForms = policy(true);
const stripeForms = policy(false);

/**
 * Security headers of the reader pages: a CSP with our stylesheet and nothing else, no
 * referrer, no sniffing, no caching. Runs after the handler, because only its answer tells
 * whether the page's form leads to Stripe (`c.set("formLeavesSite", true)`).
 */
export function readerPageHeaders(): MiddlewareHandler<ReaderPageEnv> {
  return async (c, next) => {
    await next();
    // secureHeaders writes its headers after its `next()`; the handler has answered already, so that `next` does nothing.
    await (c.get("formLeavesSite") ? stripeForms : ownForms)(c, async () => {});
    c.header("Cache-Control", "no-store");
  };
}

/** The stylesheet: the ask's palette and type, with visible focus and reduced motion honoured. */
export const STYLESHEET = `:root{color-scheme:light;--ink:#1d1d1b;--muted:#55554f;--paper:#f6f5f1;--card:#fff;--line:#d9d6cc;--accent:#1d1d1b;--focus:#1a5fb4;--ok:#1e6b3a;--warn:#8a3b12}
*{box-sizing:border-box}
html{background:var(--paper)}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:48px 16px;color:var(--ink);font:17px/1.55 Georgia,"Times New Roman",serif}
.card{width:100%;max-width:520px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:32px}
.publisher{margin:0 0 8px;font:600 13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
h1{margin:0 0 16px;font-size:28px;line-height:1.2;font-weight:700}
p{margin:0 0 16px}
.note{color:var(--muted);font-size:15px}
.status{padding:12px 16px;border-radius:6px;background:#eef5ef;color:var(--ok);border:1px solid #c7dfcc}
.status.warn{background:#fbf1ea;color:var(--warn);border-color:#efd3c0}
form{margin:24px 0 8px}
label{display:block;margin:0 0 6px;font:600 15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
input[type=email]{width:100%;padding:12px 14px;font:17px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff;border:1px solid #8f8c82;border-radius:6px}
button{margin-top:16px;display:inline-block;min-height:44px;padding:10px 22px;font:600 16px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#fff;background:var(--accent);border:2px solid var(--accent);border-radius:6px;cursor:pointer}
button:hover{background:#3a3a36}
button.secondary{color:var(--ink);background:#fff}
button.secondary:hover{background:#eeece6}
a{color:var(--ink)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.hint{margin:6px 0 0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--muted)}
select{min-height:44px;padding:8px 12px;font:17px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff;border:1px solid #8f8c82;border-radius:6px}
label.spaced{margin-top:16px}
h2{margin:0 0 10px;font-size:20px;line-height:1.3}
section{margin:28px 0 0;padding:24px 0 0;border-top:1px solid var(--line)}
section form{margin:12px 0 0}
dl.summary{margin:0 0 8px;display:grid;grid-template-columns:max-content 1fr;gap:8px 20px}
dl.summary dt{font:600 15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--muted)}
dl.summary dd{margin:0}
fieldset{margin:0;padding:0;border:0}
legend{margin:0 0 8px;padding:0;font:600 15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
label.choice{display:flex;gap:10px;align-items:center;font-weight:400;margin:0 0 8px;min-height:32px}
label.choice input{width:20px;height:20px;margin:0;accent-color:var(--accent)}
input[type=text],textarea{width:100%;padding:12px 14px;font:17px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff;border:1px solid #8f8c82;border-radius:6px}
textarea{resize:vertical}
[aria-invalid=true]{border-color:var(--warn);border-width:2px}
form.inline{display:inline;margin:0}
button.linkish{margin:0;min-height:0;padding:0;border:0;background:none;color:var(--ink);font:inherit;text-decoration:underline;cursor:pointer}
button.linkish:hover{background:none}
.links{margin:28px 0 8px}
.status p{margin:0 0 4px}
@media (prefers-reduced-motion:no-preference){button{transition:background-color .15s}}
@media (max-width:480px){body{padding:16px 8px}.card{padding:24px 18px}h1{font-size:24px}}
`;
