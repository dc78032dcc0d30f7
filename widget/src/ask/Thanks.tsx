import type { Frequency } from "../../../worker/core/widget-contract";
import { extrasStrings } from "../i18n/extras";
import type { Env } from "./env";
import { fillCopy } from "./env";

type Props = {
  env: Pick<Env, "copy" | "config" | "articles" | "origin" | "site" | "lang" | "pageUrl">;
  /** The gift's frequency (`rs_freq` on the return from Stripe). */
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
 * Shown in place of the ask after a successful checkout (`?rs=thanks`), in the article or,
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
