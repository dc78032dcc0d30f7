import { Component } from "preact";
import { fill } from "../i18n";
import { extrasStrings } from "../i18n/extras";
import { DAY } from "../rules/time";
import { type Env, postJson } from "./env";
import { adoptExtras } from "./extras-styles";

type When = "next_week" | "next_month";
type State = { email: string; when: When; step?: "busy" | "done"; error?: string; invalid?: boolean };

/**
 * The optional reminder after "Remind me later": one email on the chosen date, nothing
 * else (the form says so). Posts to /api/reminders; hidden when the site disables reminders.
 * Part of the extras chunk (extras-chunk.ts), loaded only when needed.
 */
export class Reminder extends Component<{ env: Env }, State> {
  override state: State = { email: "", when: "next_week" };

  submit = async (e: Event) => {
    e.preventDefault();
    const { env } = this.props;
    const t = { ...env.t, ...extrasStrings(env.lang) };
    const { email, when, step } = this.state;
    if (step) return;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return this.setState({ invalid: true, error: t.badEmail });
    this.setState({ invalid: false, error: "", step: "busy" });
    let error: string;
    try {
      const { status, body } = await postJson(env, "/api/reminders", {
        site: env.site,
        email: email.trim(),
        when,
        lang: env.lang,
        pageUrl: env.pageUrl,
      });
      if (status < 300) return this.setState({ step: "done" });
      error = body?.error?.message || t.failed;
    } catch {
      error = t.offline;
    }
    this.setState({ step: undefined, error });
  };

  render({ env }: { env: Env }, { email, when, step, error, invalid }: State) {
    const t = extrasStrings(env.lang);
    if (step === "done") {
      const date = new Date(env.now() + (when === "next_week" ? 7 : 30) * DAY);
      const formatted = new Intl.DateTimeFormat(env.lang, { month: "long", day: "numeric" }).format(date);
      return <p role="status">{fill(t.reminderSet, { date: formatted })}</p>;
    }
    return (
      <form onSubmit={this.submit} ref={adoptExtras} noValidate>
        <p class="small">{t.remindOffer}</p>
        <p>
          <label class="lbl" for="rs-email">
            {t.email}
          </label>
          <input
            id="rs-email"
            type="email"
            autoComplete="email"
            value={email}
            aria-invalid={invalid ? "true" : "false"}
            aria-describedby="rs-email-err"
            onInput={(e) => this.setState({ email: (e.currentTarget as HTMLInputElement).value })}
          />
        </p>
        <fieldset>
          <legend>{t.when}</legend>
          <div class="seg">
            {(["next_week", "next_month"] as const).map((w) => (
              <label class="opt" key={w}>
                <input
                  type="radio"
                  name="when"
                  value={w}
                  checked={when === w}
                  onChange={() => this.setState({ when: w })}
                />
                <span>{w === "next_week" ? t.nextWeek : t.nextMonth}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" class="btn" aria-disabled={step ? "true" : "false"}>
          {step ? t.sending : t.send}
        </button>
        <p id="rs-email-err" class="err" role="alert">
          {error}
        </p>
      </form>
    );
  }
}
