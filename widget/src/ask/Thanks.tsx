import type { Frequency, ThanksResponse } from "../../../worker/core/widget-contract";
import { extrasStrings } from "../i18n/extras";
import { rememberSupporter } from "../rules/memory";
import type { Env } from "./env";
import { fillCopy, postJson } from "./env";

/**
 * Back from Stripe with `?rs=thanks&rs_pledge=<token>`: asks the worker whether that link stands
 * for a payment (it says yes once per pledge, and only when paid or settling). If so, remembers
 * the reader as a supporter for the site's period for that frequency and resolves to it;
 * otherwise (forged, unpaid, reused, no answer) resolves to null and remembers nothing.
 */
export async function confirmThanks(
  env: Pick<Env, "origin" | "fetch" | "site" | "config" | "now" | "update">,
  token: string,
): Promise<Frequency | null> {
  try {
    const { status, body } = await postJson(env, "/api/thanks", { site: env.site, token });
    const answer = body as ThanksResponse | null;
    if (status !== 200 || answer?.supporter !== true) return null;
    const f = answer.frequency;
    const frequency: Frequency = f === "monthly" || f === "annual" ? f : "once";
    env.update((s) => rememberSupporter(s, env.now(), frequency, env.config.rules));
    return frequency;
  } catch {
    return null;
  }
}

type Props = {
  env: Pick<Env, "copy" | "config" | "articles" | "origin" | "site" | "lang" | "pageUrl">;
  /** The gift's frequency, as the worker confirmed it. */
  frequency: Frequency;
  /** The one-line form inside the banner (pages without an article). */
  banner?: boolean;
};

/**
 * The supporters' self-service page of this site, in the reader's language, with a way back to
 * this page (`pageUrl`: already without our `rs*` parameters and the fragment).
 */
export const manageUrl = (env: Props["env"]) =>
  `${env.origin}/manage?site=${encodeURIComponent(env.site)}&lang=${env.lang}&return=${encodeURIComponent(env.pageUrl)}`;

/**
 * Shown in place of the ask after a checkout the worker confirmed as paid, in the article or,
 * with `banner`, as the banner's one line. After a recurring gift it links to "Manage your
 * support". Not after a one-time gift: there is nothing to cancel or change, and
 * the manage page emails links only for live recurring support, so that reader would wait
 * for an email that never comes. Part of the extras chunk: only a returning reader needs it.
 */
export function Thanks({ env, frequency, banner }: Props) {
  const title = fillCopy(env.copy.thanksTitle, env);
  const body = fillCopy(env.copy.thanksBody, env);
  const manage = frequency !== "once" && (
    <a class="link" href={manageUrl(env)}>
      {extrasStrings(env.lang).manage}
    </a>
  );
  return banner ? (
    <p class="bt">
      <strong>{title}</strong> {body} {manage}
    </p>
  ) : (
    <section class="box" aria-labelledby="rs-h" role="status">
      <h2 id="rs-h">{title}</h2>
      <p>{body}</p>
      {manage && <p>{manage}</p>}
    </section>
  );
}
