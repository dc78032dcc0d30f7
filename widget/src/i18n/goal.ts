/**
 * Strings of a campaign's progress toward its goal. They ship only in the goal chunk
 * (widget/build.mjs), loaded when the page's campaign has a goal.
 */
const en = {
  raised: "{raised} of {goal} raised",
  /** By Intl.PluralRules category: "1 supporter", "41 supporters". */
  supporters: { one: "{n} supporter", other: "{n} supporters" } as Record<string, string>,
  until: "until {date}",
};

/** The shape every language provides. */
export type GoalStrings = typeof en;

const ru: GoalStrings = {
  raised: "Собрано {raised} из {goal}",
  supporters: { one: "{n} сторонник", few: "{n} сторонника", many: "{n} сторонников", other: "{n} сторонника" },
  until: "до {date}",
};

declare const __LANG__: string | undefined;

/** Both tables in tests; one per published chunk (the build defines `__LANG__`). */
export const GOAL_STRINGS: Partial<Record<string, GoalStrings>> =
  typeof __LANG__ === "undefined" ? { en, ru } : __LANG__ === "ru" ? { ru } : { en };

/** The goal's strings in a language (English for anything else). */
export const goalStrings = (lang: string): GoalStrings => (GOAL_STRINGS[lang] ?? GOAL_STRINGS.en ?? GOAL_STRINGS.ru)!;
