/**
 * The JSX runtime for the widget's view layer (`jsxImportSource: "@view"` in tsconfig.json and
 * widget/build.mjs): `<p class="x">{a}</p>` compiles to `jsx("p", { class: "x", children: a })`.
 */
import type { Component, ComponentChildren, Key, VNode } from "./index";

export { Fragment } from "./index";

export const jsx = (type: VNode["type"], props: Record<string, any>, key?: Key): VNode => ({ type, props, key });
export { jsx as jsxs, jsx as jsxDEV };

/** An element's attributes: the listeners the widget uses are typed, the rest is free. */
type Attributes = {
  children?: ComponentChildren;
  ref?: (el: any) => void;
  onClick?: (e: MouseEvent) => void;
  onInput?: (e: Event) => void;
  onChange?: (e: Event) => void;
  onSubmit?: (e: Event) => void;
  onFocusIn?: (e: FocusEvent) => void;
  onPointerOver?: (e: PointerEvent) => void;
  [attribute: string]: any;
};

export namespace JSX {
  export type Element = VNode;
  export type ElementType =
    | string
    | ((props: any) => ComponentChildren)
    | (abstract new (
        props: any,
      ) => Component<any, any>);
  export interface ElementClass {
    render(props: unknown, state: unknown): ComponentChildren;
  }
  export interface ElementAttributesProperty {
    props: object;
  }
  export interface ElementChildrenAttribute {
    children: object;
  }
  export interface IntrinsicAttributes {
    key?: Key | undefined;
  }
  /** Elements take any attribute; `ref` is called with the element once it is on the page, and with null after. */
  export interface IntrinsicElements {
    [tag: string]: Attributes;
  }
}
