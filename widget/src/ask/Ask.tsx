import { Component } from "@view";
import { fill } from "../i18n";
import { optOutOfCount } from "../rules/count-opt-out";
import { snooze } from "../rules/memory";
import { Chooser } from "./Chooser";
import { type Env, fillCopy } from "./env";
import type { Extras } from "./global";
import { Marks } from "./Marks";

/** Article counts below this are not worth mentioning (as the copy schema says). */
const COUNT_LINE_FROM = 3;

type Props = { env: Env; onSnooze?: () => void };
type State = { snoozed?: boolean; countOff?: boolean; Reminder?: Extras["Reminder"] };

/**
 * The in-article ask: "A Message from {publisher}", the site's copy, the chooser,
 * payment marks and "Not ready to support today? Remind me later".
 * `onSnooze` lets the page-level controller hide the banner too.
 */
export class Ask extends Component<Props, State> {
  #note?: HTMLElement | null;

  #remindLater = () => {
    const { env, onSnooze } = this.props;
    env.update((s) => snooze(s, env.now(), env.config.rules.snoozeDays));
    env.track("snooze", "inline");
    // The button disappears: keep keyboard focus on the message that replaces it.
    this.setState({ snoozed: true }, () => this.#note?.focus());
    onSnooze?.();
    // The optional reminder form is in the extras chunk: fetched now, shown when it arrives.
    if (env.config.reminders)
      env.extras().then(
        ({ Reminder }) => this.setState({ Reminder }),
        () => {}, // Without it the reader is still snoozed; the form is a bonus.
      );
  };

  #optOut = () => {
    this.props.env.update(optOutOfCount);
    this.setState({ countOff: true });
  };

  render({ env }: Props, { snoozed, countOff, Reminder }: State) {
    const { t, copy, config } = env;
    const heading = fillCopy(copy.heading, env);
    if (snoozed) {
      return (
        <section class="box snz" aria-label={heading}>
          <p
            ref={(el) => {
              this.#note = el;
            }}
            tabIndex={-1}
            role="status"
          >
            {fill(t.snoozed, { days: config.rules.snoozeDays })}
          </p>
          {Reminder && <Reminder env={env} />}
        </section>
      );
    }
    const showCount = !countOff && copy.articleCountLine && env.articles !== null && env.articles >= COUNT_LINE_FROM;
    const paragraphs = copy.body.map((p) => fillCopy(p, env));
    return (
      <section class="box" aria-labelledby="rs-h">
        <h2 id="rs-h" tabIndex={-1}>
          {heading}
        </h2>
        <div class="copy">
          {showCount ? (
            <p>
              <span class="count">{fillCopy(copy.articleCountLine!, env)}</span>{" "}
              <button type="button" class="link small" onClick={this.#optOut}>
                {t.countOptOut}
              </button>
            </p>
          ) : (
            <p>{paragraphs[0]}</p>
          )}
          {paragraphs.slice(1).map((p) => (
            <p>{p}</p>
          ))}
          <p class="small" role="status">
            {countOff ? t.countOff : ""}
          </p>
        </div>
        <Chooser env={env} placement="inline" />
        <Marks methods={config.paymentMethods} label={t.methods} />
        <p class="later">
          {t.notReady}{" "}
          <button type="button" class="link" onClick={this.#remindLater}>
            {t.remind}
          </button>
        </p>
      </section>
    );
  }
}
