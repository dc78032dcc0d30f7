import { fill } from "../i18n";
import { extrasStrings } from "../i18n/extras";
import type { Env } from "./env";
import { adoptExtras } from "./extras-styles";

type Props = {
  env: Env;
  value: string;
  /** The message in words, or "" while the amount is fine or not yet typed. */
  error: string;
  onInput: (value: string) => void;
  inputRef: (el: HTMLInputElement | null) => void;
};

/**
 * The "Other" amount field with its live message (announced politely). Part of the extras
 * chunk: the chooser fetches it as soon as the reader reaches for the form.
 */
export function OtherAmount({ env, value, error, onInput, inputRef }: Props) {
  const { currency, decimals } = env.config;
  return (
    <div class="other" ref={adoptExtras}>
      <label class="lbl" for="rs-other">
        {fill(extrasStrings(env.lang).otherLabel, { currency })}
      </label>
      <div class="field">
        <b aria-hidden="true">{currency}</b>
        <input
          id="rs-other"
          ref={inputRef}
          type="text"
          inputMode={decimals ? "decimal" : "numeric"}
          autoComplete="off"
          value={value}
          aria-invalid={error ? "true" : "false"}
          aria-describedby="rs-other-err"
          onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      <p id="rs-other-err" class="err" aria-live="polite">
        {error}
      </p>
    </div>
  );
}
