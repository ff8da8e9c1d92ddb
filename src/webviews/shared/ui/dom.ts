// Building DOM without markup strings: text always goes in as text nodes, never through innerHTML,
// so prompt text, labels and file names cannot become elements or scripts.

type Child = Node | string | false | null | undefined;

export interface Props {
  class?: string;
  id?: string;
  /** Set with setAttribute (values are strings; `true` sets an empty attribute, false/undefined skips it). */
  attrs?: Record<string, string | boolean | undefined>;
  /** Assigned as properties (custom elements read these, e.g. `value`, `disabled`). */
  props?: Record<string, unknown>;
  on?: Record<string, (event: Event) => void>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (props.class) {
    element.className = props.class;
  }
  if (props.id) {
    element.id = props.id;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === true) {
      element.setAttribute(name, '');
    } else if (typeof value === 'string') {
      element.setAttribute(name, value);
    }
  }
  Object.assign(element, props.props ?? {});
  for (const [name, listener] of Object.entries(props.on ?? {})) {
    element.addEventListener(name, listener);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) {
      continue;
    }
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces the children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A codicon in the page's light DOM (the codicon stylesheet is linked by the host). */
export function codicon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}
