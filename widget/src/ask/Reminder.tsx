import { Component } from "@view";
import { fill } from "../i18n";
import { extrasStrings } from "../i18n/extras";
import type { Env } from "./env";
import { adoptExtras } from "./extras-styles";
import { postJson } from "./post";
import { turnstileToken } from "./turnstile";

type When = "next_week" | "next_month";
type State = {
  email: string;
  when: When;
  step?: "busy" | "done";
  /** The server's send date ("YYYY-MM-DD", from `202 {status, when, sendOn}`) once requested. */
  sendOn?: string;
  error?: string;
  invalid?: boolean;
};

/**
 * The server's `sendOn` ("YYYY-MM-DD") as the reader's language writes a day ("June 13",
 * "13 июня"), or null when it is not such a date. Formatted in UTC: the date names a
 * calendar day, and local time zones west of UTC would otherwise show the day before.
 */
export function formatSendOn(sendOn: unknown, lang: string): string | null {
  const date = new Date(`${sendOn}T00:00:00Z`);
  // Only a real calendar day in this exact form (no "2025-02-30", no time, no other text).
  if (typeof sendOn !== "string" || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== sendOn)
    return null;
  return new Intl.DateTimeFormat(lang, { month: "long", day: "numeric", timeZone: "UTC" }).format(date);
}

/**
 * The optional reminder after "Remind me later": one email on the chosen date, nothing
 * else (the form says so). Posts to /api/reminders, which emails a confirmation link first:
 * the form then asks the reader to check their inbox. Hidden when the site disables reminders.
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
        // Sites that require Turnstile: a fresh token, as for a checkout.
        turnstileToken: env.config.turnstileSiteKey && (await turnstileToken(env, e.target as Element)),
      });
      if (status < 300) return this.setState({ step: "done", sendOn: body?.sendOn });
      error = body?.error?.message || t.failed;
    } catch (failure) {
      // The Turnstile check rejects with its own (translated) message.
      error = typeof failure === "string" ? failure : t.offline;
    }
    this.setState({ step: undefined, error });
  };

  render({ env }: { env: Env }, { email, when, step, sendOn, error, invalid }: State) {
    const t = extrasStrings(env.lang);
    if (step === "done") {
      // The date the server names (its clock and rules decide), not one guessed here.
      const date = formatSendOn(sendOn, env.lang);
      return <p role="status">{date ? fill(t.reminderSet, { date }) : t.reminderSetNoDate}</p>;
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
