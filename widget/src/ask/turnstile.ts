import { extrasStrings } from "../i18n/extras";
import type { Env } from "./env";

/** Cloudflare's script, loaded for explicit rendering (no inline script, no global callback name). */
export const TURNSTILE_SRC = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";

/** How long a token may take without a challenge, and once Cloudflare asks the reader to interact. */
export const WAIT_MS = 30_000;
export const INTERACTIVE_WAIT_MS = 180_000;

/** The part of Turnstile's global API the widget uses. */
export type TurnstileApi = {
  render(container: HTMLElement, options: Record<string, unknown>): string | undefined;
  remove(widgetId: string): void;
};

type WithTurnstile = { turnstile?: TurnstileApi };

let script: Promise<TurnstileApi> | undefined;

/**
 * Turnstile's API: the page's own when it already has one, else Cloudflare's script added
 * once as a classic script element. After a failed load the next call tries again.
 */
export function loadTurnstile(doc: Document = document): Promise<TurnstileApi> {
  const win = doc.defaultView as unknown as WithTurnstile;
  if (win.turnstile) return Promise.resolve(win.turnstile);
  script ??= new Promise<TurnstileApi>((resolve, reject) => {
    const el = doc.createElement("script");
    el.src = TURNSTILE_SRC;
    el.onload = () => (win.turnstile ? resolve(win.turnstile) : el.onerror!(new Event("error")));
    el.onerror = () => {
      script = undefined;
      el.remove();
      reject(new Error("turnstile script"));
    };
    doc.head.appendChild(el);
  });
  return script;
}

/**
 * A fresh Turnstile token for a checkout (tokens are single use). `el` is the chooser's form,
 * inside the ask's shadow root. Turnstile's iframe does not work inside a shadow root, so
 * the widget is rendered into a small container in the light DOM right after the ask's host
 * element (before a bottom banner's, which is fixed over the end of the page), invisible
 * unless Cloudflare wants the reader to interact (`interaction-only`), and scrolled into
 * view then. The container goes once the token, an error or the timeout arrives.
 * Rejects with the translated message the ask announces.
 */
export async function turnstileToken(env: Pick<Env, "config" | "lang">, el: Element, wait = WAIT_MS): Promise<string> {
  const { config, lang } = env;
  const failed = extrasStrings(lang).humanCheckFailed;
  const host = (el.getRootNode() as ShadowRoot).host ?? el;
  const doc = host.ownerDocument;
  let api: TurnstileApi;
  try {
    api = await loadTurnstile(doc);
  } catch {
    throw failed;
  }
  const box = doc.createElement("div");
  box.setAttribute("data-reader-support-check", "");
  host.parentNode!.insertBefore(box, el.closest(".bottom") ? host : host.nextSibling);
  let id: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      const fail = () => {
        reject(failed);
        return true; // Handled: Turnstile must not throw into the host page.
      };
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(fail, ms);
      };
      arm(wait);
      try {
        id = api.render(box, {
          sitekey: config.turnstileSiteKey,
          appearance: "interaction-only",
          language: lang,
          retry: "never",
          callback: resolve,
          "error-callback": fail,
          "expired-callback": fail,
          "timeout-callback": fail,
          "unsupported-callback": fail,
          "before-interactive-callback": () => {
            arm(INTERACTIVE_WAIT_MS);
            box.scrollIntoView?.({ block: "nearest" });
          },
        });
      } catch {
        fail(); // A refused site key or a broken page: same message.
      }
    });
  } finally {
    clearTimeout(timer);
    try {
      if (id !== undefined) api.remove(id);
    } catch {
      // Already gone.
    }
    box.remove();
  }
}
