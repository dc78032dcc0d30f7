/**
 * The widget's own view layer: JSX elements, class components with state, and a small diff that
 * updates the page in place. It replaces a UI library that was a third of the first ask's weight;
 * it does only what the ask needs:
 *   - elements (HTML and SVG), text, fragments and arrays, function and class components;
 *   - props as DOM properties where the element has one (value, checked, noValidate…), else as
 *     attributes; `on<Event>` listeners; `style` objects; callback `ref`s; `key`s in lists;
 *   - `setState(change, done?)`, applied together in a microtask (`done` runs after the update);
 *     `componentDidMount` and `componentWillUnmount`.
 * What is kept in place matters to readers: an element of the same type at the same place (or
 * with the same key) is updated, never replaced, so focus, the caret and a half-typed amount
 * survive every update, and a node is moved only when the order of its siblings really changes.
 * Internal names end in "_": the ask bundle's build gives them one-letter names (widget/build.mjs).
 */

export type Key = string | number;
type Props = Record<string, any>;
export type VNode = { type: string | ComponentType<Props>; props: Props; key?: Key | undefined };
export type ComponentChild = VNode | string | number | bigint | boolean | null | undefined;
export type ComponentChildren = ComponentChild | ComponentChildren[];
export type FunctionComponent<P = object> = (props: P) => ComponentChildren;
export type ComponentType<P = object> = FunctionComponent<P> | (abstract new (props: P) => Component<P, object>);

/** What a vnode became: an element or text (`dom_`), or a component's or fragment's children (`kids_`). */
type Rendered = {
  type_: VNode["type"];
  props_: Props;
  key_?: Key | undefined;
  dom_?: Node;
  kids_: (Rendered | null)[];
  self_?: Component<Props, object>;
  ref_?: ((el: Node | null) => void) | undefined;
  /** The rendered parent (null at the top of a `render` call) and the DOM node holding this one's nodes. */
  up_: Rendered | null;
  in_: Node;
};

type Host = Node & { v_?: Rendered | null };
type Listening = HTMLElement & { l_: Record<string, (e: Event) => void> };

const TEXT = "#";
const SVG = "http://www.w3.org/2000/svg";

/** The fragment: its children, with no element of its own. */
export const Fragment = (props: { children?: ComponentChildren }): ComponentChildren => props.children;

/** What runs once the DOM is in place: refs, componentDidMount, setState's callbacks (in that order per component). */
let after: (() => void)[] = [];
/** Components with a state change waiting for the microtask that renders them. */
const dirty: Component<Props, object>[] = [];

/**
 * A component with state. `render(props, state)` returns its children; `setState` merges a change
 * into the state and renders the component again (once per microtask, however many changes).
 */
export abstract class Component<P = object, S = object> {
  props: P;
  state = {} as S;
  declare r_?: Rendered | undefined;
  declare next_?: S | undefined;
  declare dirty_?: boolean;
  declare done_?: (() => void)[];
  componentDidMount?(): void;
  componentWillUnmount?(): void;
  abstract render(props: P, state: S): ComponentChildren;

  constructor(props: P) {
    this.props = props;
  }

  setState(change: Partial<S> | ((state: S, props: P) => Partial<S>), done?: () => void): void {
    const base = this.next_ ?? this.state;
    this.next_ = { ...base, ...(typeof change === "function" ? change(base, this.props) : change) };
    if (done) {
      this.done_ ??= [];
      this.done_.push(done);
    }
    if (this.dirty_) return;
    this.dirty_ = true;
    if (dirty.push(this as unknown as Component<Props, object>) === 1) queueMicrotask(flush);
  }
}

function flush() {
  for (let c = dirty.shift(); c; c = dirty.shift()) {
    const r = c.r_;
    // Unmounted, or rendered meanwhile by its parent: nothing to do.
    if (!r || !c.dirty_) continue;
    const before = nextDom(r);
    renderComponent(r, c, r.in_, r.in_ instanceof SVGElement);
    place(r.in_, doms(r.kids_), before);
    commit();
  }
}

function commit() {
  const now = after;
  after = [];
  for (const f of now) f();
}

/** Renders `children` into `into` (an element or a shadow root), updating what an earlier call put there; `null` empties it. */
export function render(children: ComponentChildren, into: HTMLElement | ShadowRoot): void {
  const host = into as Host;
  host.v_ = diff(children, host.v_ ?? null, null, into, false);
  place(into, doms([host.v_]), null);
  commit();
}

/** The DOM nodes of rendered children, in order. */
function doms(kids: (Rendered | null)[], out: Node[] = []): Node[] {
  for (const k of kids) if (k) k.dom_ ? out.push(k.dom_) : doms(k.kids_, out);
  return out;
}

/** The first DOM node after `r`'s own inside the same parent node, or null when `r`'s are the last. */
function nextDom(r: Rendered): Node | null {
  for (let up = r.up_; up; r = up, up = up.up_) {
    for (let i = up.kids_.indexOf(r) + 1; i < up.kids_.length; i++) {
      const first = doms([up.kids_[i]!])[0];
      if (first) return first;
    }
    if (up.dom_) break;
  }
  return null;
}

/**
 * Puts `nodes` in this order right before `before` in `into`, moving only the nodes not already
 * where they belong (a moved input loses focus).
 */
function place(into: Node, nodes: Node[], before: Node | null) {
  for (let i = nodes.length; i--; ) {
    const n = nodes[i]!;
    if (n.parentNode !== into || n.nextSibling !== before) into.insertBefore(n, before);
    before = n;
  }
}

/** Renders one child over what was rendered there before (`old`, reused when the type matches). */
function diff(v: ComponentChildren, old: Rendered | null, up: Rendered | null, into: Node, svg: boolean) {
  if (v == null || typeof v === "boolean") {
    if (old) unmount(old, true);
    return null;
  }
  const { type, props, key }: VNode =
    typeof v !== "object"
      ? { type: TEXT, props: { t: String(v) } }
      : Array.isArray(v)
        ? { type: Fragment, props: { children: v } }
        : v;
  if (old && old.type_ !== type) {
    unmount(old, true);
    old = null;
  }
  const r: Rendered = old ?? { type_: type, props_: {}, kids_: [], up_: up, in_: into };
  const was = r.props_;
  Object.assign(r, { props_: props, key_: key, up_: up, in_: into });
  if (type === TEXT) {
    if (!r.dom_) r.dom_ = document.createTextNode(props.t);
    else if ((r.dom_ as Text).data !== props.t) (r.dom_ as Text).data = props.t;
  } else if (typeof type === "string") {
    svg ||= type === "svg";
    r.dom_ ??= svg ? document.createElementNS(SVG, type) : document.createElement(type);
    const el = r.dom_ as HTMLElement;
    for (const name in was) if (!(name in props)) setProp(el, name, undefined, was[name], svg);
    for (const name in props) setProp(el, name, props[name], was[name], svg);
    diffKids(r, props.children, el, svg);
    place(el, doms(r.kids_), null);
    if (props.ref !== r.ref_) {
      const [oldRef, ref] = [r.ref_, props.ref];
      r.ref_ = ref;
      after.push(() => {
        oldRef?.(null);
        ref?.(el);
      });
    }
  } else if (type.prototype?.render) {
    const fresh = !r.self_;
    r.self_ ??= new (type as unknown as new (p: Props) => Component<Props, object>)(props);
    const c = r.self_;
    c.r_ = r;
    c.props = props;
    renderComponent(r, c, into, svg);
    if (fresh && c.componentDidMount) after.push(() => c.componentDidMount!());
  } else {
    // A fragment's children are its own; a function component's output is its one child.
    diffKids(r, type === Fragment ? props.children : [(type as FunctionComponent<Props>)(props)], into, svg);
  }
  return r;
}

/** Renders a class component with its newest state, then queues its setState callbacks. */
function renderComponent(r: Rendered, c: Component<Props, object>, into: Node, svg: boolean) {
  c.state = c.next_ ?? c.state;
  c.next_ = undefined;
  c.dirty_ = false;
  diffKids(r, [c.render(c.props, c.state)], into, svg);
  if (c.done_) after.push(...c.done_.splice(0));
}

/** Renders a list of children over the old ones: by key where they have one, else by position. */
function diffKids(r: Rendered, children: ComponentChildren, into: Node, svg: boolean) {
  const list = Array.isArray(children) ? children : children === undefined ? [] : [children];
  const old = r.kids_;
  const keyed = new Map<Key, Rendered>();
  for (const o of old) if (o?.key_ != null) keyed.set(o.key_, o);
  const used = new Set<Rendered>();
  r.kids_ = list.map((v, i) => {
    const key = v && typeof v === "object" && !Array.isArray(v) ? v.key : undefined;
    let o = key != null ? keyed.get(key) : old[i];
    if (!o || used.has(o) || o.key_ !== key) o = undefined;
    else used.add(o);
    return diff(v, o ?? null, r, into, svg);
  });
  for (const o of old) if (o && !used.has(o)) unmount(o, true);
}

/** Takes a rendered child off the page: its components are told, its refs cleared, its nodes removed. */
function unmount(r: Rendered, remove: boolean) {
  const c = r.self_;
  if (c) {
    c.r_ = undefined;
    c.componentWillUnmount?.();
  }
  r.ref_?.(null);
  for (const k of r.kids_) if (k) unmount(k, remove && !r.dom_);
  if (remove) r.dom_?.parentNode?.removeChild(r.dom_);
}

function listener(this: Listening, e: Event) {
  this.l_[e.type]?.(e);
}

/** Sets one prop on an element: a listener, the style, a DOM property where there is one, else an attribute. */
function setProp(el: HTMLElement, name: string, value: unknown, old: unknown, svg: boolean) {
  if (name === "children" || name === "key" || name === "ref") return;
  // An input's value and checked state are compared with the element's, which the reader changes.
  if (name === "value" || name === "checked") old = (el as unknown as Props)[name];
  if (value === old) return;
  if (name === "style") {
    const style = el.style as unknown as Props;
    const [now, was] = [(value ?? {}) as Props, (old ?? {}) as Props];
    for (const k in was) if (!(k in now)) style[k] = "";
    for (const k in now) style[k] = now[k];
  } else if (name.startsWith("on")) {
    const type = name.slice(2).toLowerCase();
    (el as Listening).l_ ??= {};
    const l = (el as Listening).l_;
    if (!value) el.removeEventListener(type, listener);
    else if (!l[type]) el.addEventListener(type, listener);
    if (value) l[type] = value as (e: Event) => void;
    else delete l[type];
  } else {
    if (!svg && name in el)
      try {
        (el as unknown as Props)[name] = value ?? "";
        return;
      } catch {
        // A read-only property: the attribute below.
      }
    if (value == null || value === false) el.removeAttribute(name);
    else el.setAttribute(name, String(value));
  }
}
