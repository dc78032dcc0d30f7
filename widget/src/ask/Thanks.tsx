import { Component } from "@view";
import type { CheckoutResponse, Frequency, ThanksResponse } from "../../../worker/core/widget-contract";
import { fill } from "../i18n";
import { extrasStrings } from "../i18n/extras";
import { rememberSupporter } from "../rules/memory";
import type { Env } from "./env";
import { fillCopy, uuid } from "./env";
import { adoptExtras } from "./extras-styles";
import { formatMoney } from "./money";
import { postJson } from "./post";

/** What the worker confirmed: the gift's frequency and, after a one-off gift, the monthly offer. */
export type Given = { frequency: Frequency; upsell?: ThanksResponse["upsell"] };

/**
 * Back from Stripe with `?rs=thanks&rs_pledge=<token>`: asks the worker whether that link stands
 * for a payment (it says yes once per pledge, and only when paid or settling). If so, remembers
 * the reader as a supporter for the site's period for that frequency and resolves to what was
 * given (with the worker's monthly offer after a one-off gift); otherwise (forged, unpaid, reused,
 * no answer) resolves to null and remembers nothing.
 */
export async function confirmThanks(
  env: Pick<Env, "origin" | "fetch" | "site" | "config" | "now" | "update">,
  token: string,
): Promise<Given | null> {
  try {
    const { status, body } = await postJson(env, "/api/thanks", { site: env.site, token });
    const answer = body as ThanksResponse | null;
    if (status !== 200 || answer?.supporter !== true) return null;
    const f = answer.frequency;
    const frequency: Frequency = f === "monthly" || f === "annual" ? f : "once";
    env.update((s) => rememberSupporter(s, env.now(), frequency, env.config.rules));
    const offer = answer.upsell;
    const valid =
      frequency === "once" &&
      offer &&
      Number.isSafeInteger(offer.amount) &&
      offer.amount > 0 &&
      offer.currency === env.config.currency &&
      typeof offer.token === "string";
    return valid ? { frequency, upsell: offer } : { frequency };
  } catch {
    return null;
  }
}

type Props = {
  env: Pick<
    Env,
    "copy" | "config" | "articles" | "origin" | "site" | "lang" | "pageUrl" | "t" | "fetch" | "navigate" | "track"
  >;
  /** What the worker confirmed. */
  given: Given;
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
 * support". Not after a one-time gift: there is nothing to cancel or change, and the manage page
 * emails links only for live recurring support, so that reader would wait for an email that never
 * comes. After a one-time gift it offers instead, with one press, to give monthly: the worker
 * starts that checkout from the confirmed gift (`POST /api/upsell`, with the offer's token), so
 * the amount and the reader's address never travel through the page. Part of the extras chunk:
 * only a returning reader needs it.
 */
export class Thanks extends Component<Props, { busy?: boolean; error?: string }> {
  override componentDidMount() {
    if (this.props.given.upsell) this.props.env.track("thanks_upsell_offered", this.props.banner ? "banner" : "inline");
  }

  accept = async () => {
    const { env, given, banner } = this.props;
    if (this.state.busy || !given.upsell) return;
    this.setState({ busy: true, error: "" });
    env.track("thanks_upsell_accepted", banner ? "banner" : "inline");
    let error: string;
    try {
      const { status, body } = await postJson(
        env,
        "/api/upsell",
        { site: env.site, token: given.upsell.token },
        { "Idempotency-Key": uuid() },
      );
      const url = (body as CheckoutResponse | null)?.url;
      if (status < 300 && url) return env.navigate(url);
      error = body?.error?.message || env.t.failed;
    } catch {
      error = env.t.offline;
    }
    this.setState({ busy: false, error });
  };

  render({ env, given, banner }: Props, { busy, error }: { busy?: boolean; error?: string }) {
    const title = fillCopy(env.copy.thanksTitle ?? "", env);
    const body = fillCopy(env.copy.thanksBody ?? "", env);
    const t = extrasStrings(env.lang);
    const manage = given.frequency !== "once" && (
      <a class="link" href={manageUrl(env)}>
        {t.manage}
      </a>
    );
    const offer = given.upsell;
    const monthly = offer && formatMoney(offer.amount, env.config.currency, env.lang, env.config.decimals);
    const more = monthly && (
      <div class="offer" ref={adoptExtras}>
        {!banner && <p>{fill(t.thanksOffer, { monthly })}</p>}
        <button type="button" class="btn" aria-disabled={busy ? "true" : "false"} onClick={this.accept}>
          {busy ? env.t.busy : fill(t.thanksOfferButton, { monthly })}
        </button>
        <p class="err" role="alert">
          {error}
        </p>
      </div>
    );
    const line = (
      <>
        <strong>{title}</strong> {body} {manage}
      </>
    );
    return banner ? (
      more ? (
        <div class="bt">
          <p>{line}</p>
          {more}
        </div>
      ) : (
        <p class="bt">{line}</p>
      )
    ) : (
      <section class="box" aria-labelledby="rs-h">
        <h2 id="rs-h">{title}</h2>
        <p role="status">{body}</p>
        {manage && <p>{manage}</p>}
        {more}
      </section>
    );
  }
}
