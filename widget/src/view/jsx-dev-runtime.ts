/** What development builds of JSX (the unit tests) import: the same runtime. */

export type { JSX } from "./jsx-runtime";
export { Fragment, jsxDEV } from "./jsx-runtime";
