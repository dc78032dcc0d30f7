import { Component } from "@view";
import { coverFee, type Frequency, type Placement } from "../../../worker/core/widget-contract";
import { fill } from "../i18n";
import type { Checked } from "./check-amount";
import { type Env, uuid } from "./env";
import type { Extras } from "./global";
import { formatMoney } from "./money";
import { postJson } from "./post";
import { Upsell } from "./Upsell";

const OTHER = "other";

/** The default preset of a frequency: the site's default amount if offered, else the first. */
function defaultChoice(env: Env, f: Frequency): string {
  const presets = env.config.presets[f] ?? [];
  const d = env.config.defaultAmount[f];
  return String(presets.includes(d) ? d : (presets[0] ?? OTHER));
}

type Props = { env: Env; placement: Placement };
type State = {
  frequency: Frequency;
  choice: string;
  other: string;
  touched?: boolean;
  coverFees?: boolean;
  busy?: boolean;
  error?: string;
  /** The extras chunk (the "Other" field and its checks), once loaded. */
  x?: Extras;
  /** The one-off amount while the monthly upsell is offered instead of the form. */
  up?: number;
};

/**
 * Frequency and amount, fee coverage and Continue: the part of the ask that starts a
 * checkout. Native radio groups (fieldset + legend) give keyboard and screen-reader
 * behaviour for free; errors are announced through live regions.
 * The first ask's budget is 12 KB, so the "Other" field lives in the extras chunk, fetched as soon as the
 * reader reaches for the form (pointer or focus), so it is there when "Other" is picked. The
 * checkout itself stays here: a chunk that cannot load must never stop a gift.
 */
export class Chooser extends Component<Props, State> {
  #input?: HTMLInputElement | null;

  constructor(props: Props) {
    super(props);
    const { config } = props.env;
    const f = config.frequencies.includes(config.defaultFrequency) ? config.defaultFrequency : config.frequencies[0]!;
    this.state = { frequency: f, choice: defaultChoice(props.env, f), other: "" };
  }

  #extras?: Promise<Extras | undefined>;

  /** Fetches the extras chunk (once; again after a failure); resolves to it, or undefined offline. */
  #load = () =>
    (this.#extras ??= this.props.env.extras().then(
      (x) => {
        this.setState({ x });
        return x;
      },
      () => {
        this.#extras = undefined;
        return undefined;
      },
    ));

  /** The chosen amount in minor units, or the reason there is none ("" while "Other" is loading). */
  #amount(x = this.state.x): Checked {
    const { env } = this.props;
    const { choice, other } = this.state;
    if (choice !== OTHER) return { amount: Number(choice) };
    return x ? x.checkAmount(other, env.config, env.lang) : { error: "" };
  }

  /**
   * Continue: checks the amount and starts the checkout. A one-off choice is first offered, once,
   * as a monthly gift (Upsell, which calls back with `frequency`, `given` and `upsell` for the
   * reader's answer).
   */
  #submit = async (e: Event, frequency = this.state.frequency, given?: number, upsell?: "ask") => {
    e.preventDefault();
    const { env, placement } = this.props;
    const { config, t } = env;
    if (this.state.busy) return;
    const other = !given && this.state.choice === OTHER;
    const x = other ? await this.#load() : undefined;
    if (other && !x) return this.setState({ error: t.offline });
    const amount = given || this.#amount(x).amount;
    if (amount === undefined) {
      this.setState({ touched: true });
      this.#input?.focus();
      return;
    }
    // Offered once: `up` stays set while the reader answers, and after.
    if (frequency === "once" && config.upsell && !this.state.up) return this.setState({ up: amount });
    this.setState({ busy: true, error: "" });
    env.track("click", placement);
    let error: string;
    try {
      const { status, body } = await postJson(
        env,
        "/api/checkout",
        {
          site: env.site,
          frequency,
          amount,
          upsell,
          currency: config.currency,
          returnUrl: env.pageUrl,
          variant: env.variant,
          campaign: env.campaign,
          // Where Continue was pressed, for the staff funnel's "paid" per placement.
          placement,
          // Left out (undefined) where the site does not offer it.
          coverFees: config.fee ? !!this.state.coverFees : undefined,
          // Sites that require Turnstile: a fresh token from the extras chunk (turnstile.ts).
          turnstileToken:
            config.turnstileSiteKey && (await this.#load().then((x) => x!.turnstile(env, e.target as Element))),
        },
        { "Idempotency-Key": uuid() },
      );
      if (status < 300 && body?.url) {
        env.track("checkout", placement);
        env.navigate(body.url);
        return; // Stay busy while the browser leaves for checkout.
      }
      error = body?.error?.message || t.failed;
    } catch (e) {
      // The Turnstile check rejects with its own (translated) message.
      error = typeof e === "string" ? e : t.offline;
    }
    this.setState({ busy: false, error });
  };

  render({ env, placement }: Props, { frequency, choice, other, touched, coverFees, busy, error, x, up }: State) {
    const { config, t, lang } = env;
    if (up) return <Upsell env={env} placement={placement} amount={up} go={this.#submit} busy={busy} error={error} />;
    const money = (n: number) => formatMoney(n, config.currency, lang, config.decimals);
    const checked = this.#amount();
    const fee = config.fee && checked.amount ? coverFee(checked.amount, config.fee) : 0;
    const otherError = choice === OTHER && touched ? checked.error : "";
    const radio = (name: string, value: string | number, on: boolean, label: string, pick: () => void) => (
      <label class="opt" key={value}>
        <input type="radio" name={name} value={value} checked={on} onChange={pick} />
        <span>{label}</span>
      </label>
    );
    return (
      <form onSubmit={this.#submit} onPointerOver={this.#load} onFocusIn={this.#load} noValidate>
        {config.frequencies.length > 1 && (
          <fieldset>
            <legend>{t.frequency}</legend>
            <div class="seg">
              {config.frequencies.map((f) =>
                radio("frequency", f, frequency === f, t[f], () =>
                  this.setState({ frequency: f, choice: choice === OTHER ? OTHER : defaultChoice(env, f) }),
                ),
              )}
            </div>
          </fieldset>
        )}
        <fieldset>
          <legend>
            {frequency === "monthly" ? t.amountMonthly : frequency === "annual" ? t.amountAnnual : t.amountOnce}
          </legend>
          <div class="seg">
            {(config.presets[frequency] ?? []).map((n) =>
              radio("amount", n, choice === String(n), money(n), () => this.setState({ choice: String(n) })),
            )}
            {/* The field appears right after this group; focus stays on the radio so arrow keys keep working. */}
            {radio("amount", OTHER, choice === OTHER, t.other, () => {
              this.#load();
              this.setState({ choice: OTHER });
            })}
          </div>
        </fieldset>
        {choice === OTHER && x && (
          <x.OtherAmount
            env={env}
            value={other}
            error={otherError || ""}
            onInput={(value) => this.setState({ other: value, touched: true })}
            inputRef={(el) => {
              this.#input = el;
            }}
          />
        )}
        {fee > 0 && (
          <label class="chk">
            <input
              type="checkbox"
              checked={coverFees}
              onChange={(e) => this.setState({ coverFees: (e.currentTarget as HTMLInputElement).checked })}
            />
            <span>{fill(t.fee, { fee: money(fee) })}</span>
          </label>
        )}
        {checked.amount && frequency !== "once" && (
          <p class="total">
            {fill(frequency === "monthly" ? t.perMonth : t.perYear, {
              amount: money(checked.amount + (coverFees ? fee : 0)),
            })}
          </p>
        )}
        <button type="submit" class="btn" aria-disabled={busy ? "true" : "false"}>
          {busy ? t.busy : t.continue}
        </button>
        <p class="err" role="alert">
          {error}
        </p>
      </form>
    );
  }
}
