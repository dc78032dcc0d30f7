/** English UI strings. Labels are exactly as in the issue: Once, Monthly, Annual, Continue, Remind me later. */
export const en = {
  once: "Once",
  monthly: "Monthly",
  annual: "Annual",
  frequency: "How often",
  amountOnce: "Amount",
  amountMonthly: "Amount per month",
  amountAnnual: "Amount per year",
  other: "Other",
  perMonth: "{amount} a month",
  perYear: "{amount} a year",
  continue: "Continue",
  busy: "Opening secure checkout…",
  fee: "I'll add {fee} to cover processing costs",
  methods: "Accepted payment methods",
  notReady: "Not ready to support today?",
  remind: "Remind me later",
  snoozed: "Thanks — we'll hide this message for {days} days.",
  countOptOut: "Don't count my articles",
  countOff: "Done: we've stopped counting and forgotten the count (it was kept only in your browser).",
  failed: "Something went wrong. Please try again.",
  offline: "We couldn't connect. Check your connection and try again.",
};

/** The shape every language provides. */
export type Strings = typeof en;
