import { Component, type ComponentChildren } from "@view";
import { bannerStrings } from "../i18n/banner";
import { Chooser } from "./Chooser";
import { type Env, fillCopy } from "./env";

const CLOSE = (
  <svg viewBox="0 0 18 18" aria-hidden="true" focusable="false">
    <path d="M3 3l12 12M15 3L3 15" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
  </svg>
);

type Props = { env: Env; onSupport: () => boolean; onClose: () => void; thanks?: ComponentChildren };

/**
 * The banner: short copy, "Support us" and a labelled close button; Escape closes it.
 * `onSupport` brings the reader to the in-article ask and returns false when the page
 * has none, in which case the banner opens a compact choice of its own.
 * With `thanks` (the one-line thank-you of the extras chunk) it shows that instead.
 */
export class Banner extends Component<Props, { open?: boolean }> {
  #region?: HTMLElement | null;

  // Escape closes the banner when focus is in it or nowhere in particular.
  #onKey = (e: KeyboardEvent) => {
    const active = document.activeElement;
    if (e.key === "Escape" && !e.defaultPrevented && (!active || active === document.body || active === this.#host()))
      this.props.onClose();
  };

  #host = () => (this.#region?.getRootNode() as ShadowRoot | undefined)?.host;

  override componentDidMount() {
    document.addEventListener("keydown", this.#onKey);
  }

  override componentWillUnmount() {
    document.removeEventListener("keydown", this.#onKey);
  }

  #open = () => {
    if (this.props.onSupport()) return;
    // The compact choice replaces the button that had focus: move focus into it.
    this.setState({ open: true }, () => this.#region?.querySelector<HTMLElement>("input:checked")?.focus());
  };

  render({ env, thanks, onClose }: Props, { open }: { open?: boolean }) {
    const { copy } = env;
    const t = bannerStrings(env.lang);
    const title = fillCopy((thanks ? copy.thanksTitle : copy.bannerTitle) ?? "", env);
    return (
      <section
        class="banner"
        ref={(el) => {
          this.#region = el;
        }}
        aria-label={title}
      >
        <div class="bi">
          {thanks || (
            <p class="bt">
              <strong>{title}</strong> {fillCopy(copy.bannerBody, env)}
            </p>
          )}
          {!thanks && !open && (
            <button type="button" class="btn" onClick={this.#open}>
              {t.supportUs}
            </button>
          )}
          <button type="button" class="x" aria-label={t.closeBanner} onClick={onClose}>
            {CLOSE}
          </button>
        </div>
        {open && (
          <div class="bc">
            <Chooser env={env} placement="banner" />
          </div>
        )}
      </section>
    );
  }
}
