import { describe, expect, it, vi } from "vitest";
import { Component, type ComponentChildren, render } from "./index";

/** A fresh element in the document to render into. */
function container(): HTMLElement {
  const el = document.createElement("div");
  document.body.appendChild(el);
  return el;
}

/** Waits for the microtask in which setState's changes are rendered. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the view layer", () => {
  it("renders elements, text, fragments, arrays and function components, and updates them in place", () => {
    const root = container();
    const Item = ({ n }: { n: number }) => <li>item {n}</li>;
    const view = (items: number[], title: string) => (
      <>
        <h2 class="t">{title}</h2>
        <ul>
          {items.map((n) => (
            <Item n={n} />
          ))}
        </ul>
        {false}
        {null}
        {0}
      </>
    );
    render(view([1, 2], "Hello"), root);
    expect(root.innerHTML).toBe('<h2 class="t">Hello</h2><ul><li>item 1</li><li>item 2</li></ul>0');
    const h2 = root.querySelector("h2");
    const first = root.querySelector("li");
    render(view([1, 2, 3], "Bye"), root);
    expect(root.innerHTML).toBe('<h2 class="t">Bye</h2><ul><li>item 1</li><li>item 2</li><li>item 3</li></ul>0');
    // The same elements, changed where they differ.
    expect(root.querySelector("h2")).toBe(h2);
    expect(root.querySelector("li")).toBe(first);
    render(view([2], "Bye"), root);
    expect(root.innerHTML).toBe('<h2 class="t">Bye</h2><ul><li>item 2</li></ul>0');
    render(null, root);
    expect(root.innerHTML).toBe("");
  });

  it("keeps a focused input, its caret and what the reader typed while things appear and go before it", () => {
    const root = container();
    const view = (note: boolean, value: string) => (
      <form>
        {note && <p>Almost there</p>}
        <input id="amount" value={value} />
      </form>
    );
    render(view(false, "12"), root);
    const input = root.querySelector("input")!;
    input.focus();
    input.value = "125";
    input.setSelectionRange(2, 2);
    render(view(true, "125"), root);
    expect(root.querySelector("input")).toBe(input);
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe("125");
    expect(input.selectionStart).toBe(2);
    expect(root.querySelector("form")!.firstElementChild!.tagName).toBe("P");
    render(view(false, "125"), root);
    expect(document.activeElement).toBe(input);
    expect(root.querySelector("p")).toBeNull();
  });

  it("matches keyed children by key when a list changes order", () => {
    const root = container();
    const list = (keys: string[]) => (
      <ul>
        {keys.map((k) => (
          <li key={k}>{k}</li>
        ))}
      </ul>
    );
    render(list(["a", "b", "c"]), root);
    const [a, b, c] = Array.from(root.querySelectorAll("li"));
    // The same elements (toEqual would compare DOM nodes by their contents, not their identity).
    const same = (nodes: Element[]) =>
      expect(Array.from(root.querySelectorAll("li")).map((li) => nodes.indexOf(li))).toEqual(nodes.map((_, i) => i));
    render(list(["c", "a", "b"]), root);
    same([c!, a!, b!]);
    expect(root.textContent).toBe("cab");
    render(list(["b"]), root);
    same([b!]);
  });

  it("takes an input's value and checked state from the props, whatever the reader changed", () => {
    const root = container();
    const view = (on: boolean) => <input type="checkbox" checked={on} />;
    render(view(false), root);
    const box = root.querySelector("input")!;
    box.checked = true;
    render(view(false), root);
    expect(box.checked).toBe(false);
    render(view(true), root);
    expect(box.checked).toBe(true);
  });

  it("sets DOM properties, attributes (aria, for, SVG's in its namespace) and styles, and removes them", () => {
    const root = container();
    render(
      <div>
        <form noValidate aria-label="Choice" />
        <label for="x">
          X <input id="x" />
        </label>
        <i style={{ width: "40%", color: "red" }} />
        <svg viewBox="0 0 18 18" aria-hidden="true">
          <title>Close</title>
          <path d="M3 3l12 12" stroke-width="2" />
        </svg>
      </div>,
      root,
    );
    const form = root.querySelector("form")!;
    expect(form.noValidate).toBe(true);
    expect(form.getAttribute("aria-label")).toBe("Choice");
    expect(root.querySelector("label")!.getAttribute("for")).toBe("x");
    const i = root.querySelector("i")!;
    expect(i.style.width).toBe("40%");
    const svg = root.querySelector("svg")!;
    expect(svg.namespaceURI).toBe("http://www.w3.org/2000/svg");
    expect(svg.querySelector("path")!.namespaceURI).toBe("http://www.w3.org/2000/svg");
    expect(svg.getAttribute("viewBox")).toBe("0 0 18 18");
    render(
      <div>
        <form />
        <label>
          X <input id="x" />
        </label>
        <i style={{ width: "50%" }} />
        <svg viewBox="0 0 18 18">
          <title>Close</title>
          <path d="M3 3l12 12" />
        </svg>
      </div>,
      root,
    );
    expect(form.noValidate).toBe(false);
    expect(form.hasAttribute("aria-label")).toBe(false);
    expect(root.querySelector("label")!.hasAttribute("for")).toBe(false);
    expect(i.style.width).toBe("50%");
    expect(i.style.color).toBe("");
    expect(svg.hasAttribute("aria-hidden")).toBe(false);
  });

  it("listens with the newest handler, once, and stops listening when the handler goes", () => {
    const root = container();
    const first = vi.fn();
    const second = vi.fn();
    const view = (onClick?: () => void) => (
      <button type="button" onClick={onClick}>
        Go
      </button>
    );
    render(view(first), root);
    const button = root.querySelector("button")!;
    button.click();
    render(view(second), root);
    button.click();
    button.click();
    render(view(), root);
    button.click();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it("renders a class component again once per batch of setState, then calls setState's callback", async () => {
    const root = container();
    const renders = vi.fn();
    let counter!: Counter;
    class Counter extends Component<object, { n: number }> {
      override state = { n: 0 };
      constructor(props: object) {
        super(props);
        counter = this;
      }
      render(_: object, { n }: { n: number }) {
        renders(n);
        return <output>{n}</output>;
      }
    }
    render(<Counter />, root);
    const seen: string[] = [];
    counter.setState({ n: 1 });
    counter.setState(
      (s) => ({ n: s.n + 1 }),
      () => seen.push(root.textContent!),
    );
    // Not yet: changes wait for the microtask, and the state is the rendered one until then.
    expect(counter.state.n).toBe(0);
    expect(root.textContent).toBe("0");
    await settle();
    expect(root.textContent).toBe("2");
    expect(seen).toEqual(["2"]);
    expect(renders.mock.calls).toEqual([[0], [2]]);
  });

  it("puts a component's new nodes where they belong among its siblings, and leaves nodes it did not render alone", async () => {
    const root = container();
    const outside = document.createElement("aside");
    root.appendChild(outside);
    let toggle!: Toggle;
    class Toggle extends Component<object, { on?: boolean }> {
      constructor(props: object) {
        super(props);
        toggle = this;
      }
      render(_: object, { on }: { on?: boolean }) {
        return on ? (
          <>
            <b>1</b>
            <b>2</b>
          </>
        ) : null;
      }
    }
    render(
      <>
        <i>before</i>
        <Toggle />
        <i>after</i>
      </>,
      root,
    );
    // Rendered nodes follow the ones that were there (a goal line placed first stays first).
    expect(root.innerHTML).toBe("<aside></aside><i>before</i><i>after</i>");
    toggle.setState({ on: true });
    await settle();
    expect(root.innerHTML).toBe("<aside></aside><i>before</i><b>1</b><b>2</b><i>after</i>");
    toggle.setState({ on: false });
    await settle();
    expect(root.innerHTML).toBe("<aside></aside><i>before</i><i>after</i>");
  });

  it("calls refs and componentDidMount once the nodes are on the page, and cleans up on unmount", () => {
    const root = container();
    const shadow = container().attachShadow({ mode: "open" });
    const events: string[] = [];
    class Widget extends Component<{ children?: ComponentChildren }> {
      override componentDidMount() {
        events.push(`mounted, in the document: ${document.contains(root.querySelector("section"))}`);
      }
      override componentWillUnmount() {
        events.push("unmounted");
      }
      render() {
        return (
          <section
            ref={(el: HTMLElement | null) =>
              events.push(el ? `ref, in the document: ${document.contains(el)}` : "ref null")
            }
          >
            {this.props.children}
          </section>
        );
      }
    }
    render(<Widget />, root);
    expect(events).toEqual(["ref, in the document: true", "mounted, in the document: true"]);
    events.length = 0;
    render(null, root);
    expect(events).toEqual(["unmounted", "ref null"]);
    expect(root.innerHTML).toBe("");
    // In a shadow root, a ref sees the root the element belongs to (the extras' stylesheet is adopted there).
    let rootOf: Node | undefined;
    render(<p ref={(el: HTMLElement | null) => (rootOf ??= el?.getRootNode())} />, shadow);
    expect(rootOf).toBe(shadow);
  });

  it("replaces an element when its type changes, and unmounts a replaced component", () => {
    const root = container();
    const gone = vi.fn();
    class Old extends Component {
      override componentWillUnmount() {
        gone();
      }
      render() {
        return <p>old</p>;
      }
    }
    render(<div>{<Old />}</div>, root);
    render(<div>{<span>new</span>}</div>, root);
    expect(root.innerHTML).toBe("<div><span>new</span></div>");
    expect(gone).toHaveBeenCalledTimes(1);
  });
});
