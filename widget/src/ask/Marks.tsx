/**
 * Small, legible marks for the accepted payment methods: simple drawings, not the
 * trademark artwork. Each is an image with a text alternative. Fonts come from the
 * stylesheet (`.marks`); light text on a dark card (`.dk`) where the card is coloured.
 */
import type { ComponentChildren } from "@view";

const MARKS: Record<string, [name: string, card: string, art: ComponentChildren]> = {
  visa: [
    "Visa",
    "#1a1f71",
    <text x="19" y="16" font-style="italic" font-size="10.5">
      VISA
    </text>,
  ],
  mastercard: [
    "Mastercard",
    "#fff",
    <>
      <circle cx="15.5" cy="12" r="7" fill="#eb001b" />
      <circle cx="22.5" cy="12" r="7" fill="#f79e1b" opacity=".9" />
    </>,
  ],
  amex: [
    "American Express",
    "#2671b9",
    <text x="19" y="16">
      AMEX
    </text>,
  ],
  applepay: [
    "Apple Pay",
    "#000",
    <>
      <path d="M9.7 9.6c-2-.9-3.7.6-3.7 3.1 0 2.4 1.5 5.3 3 5.3.6 0 .9-.3 1.5-.3s.9.3 1.5.3c1.5 0 3-2.9 3-5.3 0-2.5-1.7-4-3.7-3.1q.2-2 1.9-2.6-2 .1-2.3 2.2" />
      <text x="25" y="16">
        Pay
      </text>
    </>,
  ],
  googlepay: [
    "Google Pay",
    "#fff",
    <>
      <text x="12" y="16" fill="#4285f4" font-size="11">
        G
      </text>
      <text x="25" y="16">
        Pay
      </text>
    </>,
  ],
};

/** The row of accepted payment methods, in the config's order; unknown names are skipped. */
export function Marks({ methods, label }: { methods: string[]; label: string }) {
  return (
    <ul class="marks" aria-label={label}>
      {methods
        .filter((m) => MARKS[m])
        .map((m) => {
          const [name, card, art] = MARKS[m]!;
          return (
            <li key={m} class={card === "#fff" ? "" : "dk"}>
              <svg viewBox="0 0 38 24" role="img" aria-label={name}>
                <rect x=".5" y=".5" width="37" height="23" rx="3.5" fill={card} />
                {art}
              </svg>
            </li>
          );
        })}
    </ul>
  );
}
