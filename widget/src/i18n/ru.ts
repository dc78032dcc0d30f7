import type { Strings } from "./en";

/** Russian UI strings. */
export const ru: Strings = {
  once: "Разово",
  monthly: "Ежемесячно",
  annual: "Ежегодно",
  frequency: "Как часто",
  amountOnce: "Сумма",
  amountMonthly: "Сумма в месяц",
  amountAnnual: "Сумма в год",
  other: "Другая",
  perMonth: "{amount} в месяц",
  perYear: "{amount} в год",
  continue: "Продолжить",
  busy: "Переходим к оплате…",
  fee: "Я добавлю {fee} на покрытие комиссии за платёж",
  methods: "Способы оплаты",
  notReady: "Не готовы поддержать сегодня?",
  remind: "Напомнить позже",
  snoozed: "Спасибо — мы скроем это сообщение на {days} дн.",
  countOptOut: "Не считать мои статьи",
  countOff: "Готово: счёт удалён и больше не ведётся (он хранился только в вашем браузере).",
  failed: "Что-то пошло не так. Попробуйте ещё раз.",
  offline: "Нет связи. Проверьте подключение и попробуйте ещё раз.",
};
