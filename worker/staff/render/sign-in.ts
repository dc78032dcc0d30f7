import { html } from "hono/html";
import { isDevelopment, type WorkerEnv } from "../../platform/env";
import { staffPage } from "./html";

/** The sign-in page: the token form, or (under Cloudflare Access) a note that Access must let you in. */
export function signInPage(opts: { next: string; mode: "token" | "access"; env: WorkerEnv; error?: string }): string {
  const next = safeNext(opts.next);
  const body =
    opts.mode === "access"
      ? html`<div class="signin"><h1>Staff sign-in</h1>
<p>This staff view is protected by Cloudflare Access. Open it through your organisation's Access sign-in; your request did not carry a valid Access identity.</p>
<p><a class="btn" href="${next}">Try again</a></p></div>`
      : html`<div class="signin"><h1>Staff sign-in</h1>
<p class="lede">Enter the staff token to see what readers gave.</p>
${opts.error ? html`<p class="err" role="alert" id="err">${opts.error}</p>` : ""}
<form method="post" action="/admin/sign-in">
<input type="hidden" name="next" value="${next}">
<div><label for="token">Staff token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required${opts.error ? html` aria-invalid="true" aria-describedby="err"` : ""}></div>
<button type="submit">Sign in</button>
</form>
${isDevelopment(opts.env) ? html`<p class="muted">Running locally: the token is <code>ADMIN_TOKEN</code> in <code>.dev.vars</code>.</p>` : ""}
</div>`;
  return staffPage({ title: "Sign in — Reader Support staff", body });
}

/** Where to go after signing in: only a path inside /admin (no open redirect). */
export function safeNext(next: string | undefined | null): string {
  if (!next || !/^\/admin(\/|\?|$)/.test(next) || next.startsWith("//") || /[\\\s]/.test(next)) return "/admin";
  return next;
}
