/**
 * The publisher's file: one entry per site that embeds the ask. It fixes each site's `id` and
 * `allowedOrigins`; the rest is the site's first settings, which staff then edit in /admin
 * (published versions live in D1; this entry is the fallback and "version 0").
 * Amounts are in minor units (cents; yen for JPY). The schema in `core/site-config.ts`
 * checks this file when the worker starts and in `npm test`, and every version saved in /admin;
 * a mistake names its field.
 * The `demo` site also accepts the worker's own PUBLIC_ORIGIN while the demo article is served
 * there (development, or DEMO_PAGE = "on"), and in development any http://localhost:* and
 * http://127.0.0.1:* origin.
 */
export const sites = [
  {
    id: "demo",
    name: "The Harbour Courier",
    allowedOrigins: ["https://courier.example.org"],
    defaultLanguage: "en",
    copy: {
      en: {
        heading: "A Message from {publisher}",
        body: [
          "Dear reader,",
          "The Harbour Courier is written by six reporters who answer to nobody but the people of this coast. We have no owner to please and no paywall between you and the council minutes.",
          "That independence is paid for by readers. If our reporting has been useful to you, please consider supporting it — monthly support lets us plan the next investigation rather than the next fundraiser.",
        ],
        bannerTitle: "Reading without ads?",
        bannerBody: "We keep the Courier free of ads and trackers. Readers like you keep it going.",
        thanksTitle: "Thank you for supporting {publisher}",
        thanksBody: "Your support arrived. It pays for reporting that stays free for everyone on this coast.",
        articleCountLine: "You've read {articles} articles in the last month.",
      },
      ru: {
        heading: "Обращение от {publisher}",
        body: [
          "Дорогие читатели,",
          "The Harbour Courier — это шесть репортёров, которые отчитываются только перед жителями побережья. У нас нет владельца, которому нужно угождать, и нет платного доступа.",
          "Эту независимость оплачивают читатели. Если наши материалы были вам полезны, поддержите нас — ежемесячная поддержка позволяет планировать расследования, а не сбор средств.",
        ],
        bannerTitle: "Читаете без рекламы?",
        bannerBody: "В Courier нет рекламы и трекеров. Его поддерживают такие читатели, как вы.",
        thanksTitle: "Спасибо, что поддерживаете {publisher}",
        thanksBody: "Ваша поддержка получена. Она оплачивает журналистику, которая остаётся бесплатной для всех.",
        articleCountLine: "За последний месяц вы прочитали статей: {articles}.",
      },
    },
    frequencies: ["once", "monthly", "annual"],
    defaultFrequency: "monthly",
    defaultCurrency: "USD",
    currencies: {
      USD: {
        presets: { once: [1000, 2500, 5000, 10000], monthly: [500, 1000, 2000], annual: [5000, 10000, 20000] },
        defaultAmount: { once: 2500, monthly: 1000, annual: 10000 },
        min: 100,
        max: 1000000,
      },
      EUR: {
        presets: { once: [1000, 2500, 5000, 10000], monthly: [500, 1000, 2000], annual: [5000, 10000, 20000] },
        defaultAmount: { once: 2500, monthly: 1000, annual: 10000 },
        min: 100,
        max: 1000000,
      },
      GBP: {
        presets: { once: [1000, 2000, 5000, 10000], monthly: [400, 800, 1500], annual: [4000, 8000, 15000] },
        defaultAmount: { once: 2000, monthly: 800, annual: 8000 },
        min: 100,
        max: 1000000,
      },
      JPY: {
        presets: { once: [1000, 3000, 5000, 10000], monthly: [500, 1000, 2000], annual: [5000, 10000, 20000] },
        defaultAmount: { once: 3000, monthly: 1000, annual: 10000 },
        min: 100,
        max: 1000000,
      },
    },
    countryCurrency: {
      DE: "EUR",
      FR: "EUR",
      IT: "EUR",
      ES: "EUR",
      NL: "EUR",
      IE: "EUR",
      AT: "EUR",
      BE: "EUR",
      FI: "EUR",
      PT: "EUR",
      GB: "GBP",
      JP: "JPY",
    },
    feeCoverage: { percentBps: 290, fixed: { USD: 30, EUR: 25, GBP: 20, JPY: 40 } },
    variants: [
      { id: "control", weight: 50 },
      {
        id: "monthly-first",
        weight: 50,
        copy: {
          en: { bannerTitle: "Six reporters. One coast. No ads." },
          ru: { bannerTitle: "Шесть репортёров. Одно побережье. Без рекламы." },
        },
      },
    ],
    // Counted by name from the first view; other campaigns once a checkout has carried them.
    campaigns: ["spring-appeal"],
    rules: {
      afterParagraph: 3,
      viewCap: 4,
      snoozeDays: 7,
      bannerDismissDays: 14,
      supporterDaysOnce: 90,
      supporterDaysRecurring: 365,
      minArticles: 0,
      bannerPosition: "top",
    },
    reminders: { enabled: true },
    paymentMethods: ["visa", "mastercard", "amex", "applepay", "googlepay"],
    // The emails supporters receive (README: "Emails readers receive"). A fictional publisher's identity.
    emails: {
      fromName: "The Harbour Courier",
      replyTo: "members@courier.example.org",
      legalName: "Harbour Courier Media Ltd",
      address: ["12 Quay Street", "Port Ellen, PA42 7AB", "United Kingdom"],
      legalNote: {
        en: "Your support is a contribution, not a purchase: you received no goods or services in return.",
        ru: "Ваша поддержка — это пожертвование, а не покупка: взамен вы не получили товаров или услуг.",
      },
      supports: {
        en: "independent reporting on the coast",
        ru: "независимую журналистику на побережье",
      },
      receipts: true,
      failedPayments: { enabled: true, stripeTries: 8 },
      renewalNotice: { enabled: true, daysBefore: 7 },
      // Off by default; the demo turns it on to show it (readers opt in on Stripe's checkout page).
      checkoutRecovery: { enabled: true },
    },
  },
];
