import { Component } from "@view";
import { type Frequency, type Placement, suggestMonthly } from "../../../worker/core/widget-contract";
import { fill } from "../i18n";
import { upsellStrings } from "../i18n/upsell";
import type { Env } from "./env";
import { formatMoney } from "./money";
import { sheet } from "./styles";

type Props = {
  env: Env;
  placement: Placement;
  /** The one-off amount the reader chose (minor units). */
  amount: number;
  /** The chooser's checkout: the reader's answer, as the frequency, amount and upsell mark to pay. */
  go: (e: Event, frequency: Frequency, amount: number, upsell?: "ask") => void;
  busy?: boolean | undefined;
  error?: string | undefined;
};

/**
 * The monthly upsell, offered once after a reader chooses a one-off gift and presses Continue:
 * the site's suggested monthly amount (core/upsell.ts), "Make it monthly" or "Keep it a one-off".
 * Focus moves to its question so screen readers announce it; both answers are plain buttons, and
 * either one goes straight on to checkout. Counted as offered, accepted or declined. Part of the
 * ask bundle with its strings and rules, so it shows at once (and `npm run size` weighs it).
 */
/** The upsell's rules, added to the ask's stylesheet (shared by every shadow root) when first offered. */
const CSS = [
  ".up{margin-top:16px}",
  ".up h3{font-size:20px;font-weight:700;line-height:1.3;margin-bottom:8px;outline:0}",
  ".up .btn+.btn{margin-top:8px}",
  ".btn.alt{background:#fff;color:#0f4c5c;border:1px solid #0f4c5c}",
];
let styled = false;

export class Upsell extends Component<Props, { chose?: Frequency }> {
  heading?: HTMLElement | null;

  constructor(props: Props) {
    super(props);
    if (!styled) for (const rule of CSS) sheet().insertRule(rule, sheet().cssRules.length);
    styled = true;
  }

  override componentDidMount() {
    this.heading?.focus();
    this.props.env.track("upsell_offered", this.props.placement);
  }

  answer(e: Event, frequency: Frequency, amount: number) {
    const { env, placement, go, busy } = this.props;
    if (busy) return;
    this.setState({ chose: frequency });
    env.track(frequency === "once" ? "upsell_declined" : "upsell_accepted", placement);
    go(e, frequency, amount, frequency === "once" ? undefined : "ask");
  }

  render({ env, amount, busy, error }: Props, { chose }: { chose?: Frequency }) {
    const { config, lang } = env;
    const t = upsellStrings(lang);
    const monthly = suggestMonthly(amount, { share: 25, ...config.upsell, min: config.min, max: config.max });
    const money = (n: number) => formatMoney(n, config.currency, lang, config.decimals);
    const words = { monthly: money(monthly), once: money(amount) };
    const button = (frequency: Frequency, label: string, extra = "") => (
      <button
        type="button"
        class={`btn${extra}`}
        aria-disabled={busy ? "true" : "false"}
        onClick={(e) => this.answer(e, frequency, frequency === "once" ? amount : monthly)}
      >
        {busy && chose === frequency ? env.t.busy : label}
      </button>
    );
    return (
      <section class="up" aria-labelledby="rs-up">
        <h3
          id="rs-up"
          tabIndex={-1}
          ref={(el) => {
            this.heading = el;
          }}
        >
          {t.upsellTitle}
        </h3>
        <p>{fill(t.upsellBody, words)}</p>
        {button("monthly", fill(t.upsellYes, words))}
        {button("once", fill(t.upsellNo, words), " alt")}
        <p class="err" role="alert">
          {error}
        </p>
      </section>
    );
  }
}
