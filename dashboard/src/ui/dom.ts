/**
 * The one way the dashboard builds DOM: text always goes in as text nodes, never as HTML, so
 * nothing a directive carries (rationale, reasons, venue messages) can inject markup.
 */
export type Child = Node | string | number | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) node.setAttribute(name, value);
  append(node, children);
  return node;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replace an element's content. */
export function fill(parent: Element, children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A table with a fixed header; `rows` are already-built <tr> elements. */
export function table(headers: readonly string[], rows: readonly HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'empty' }, [empty]);
  return el('table', {}, [el('thead', {}, [el('tr', {}, headers.map((h) => el('th', {}, [h])))]), el('tbody', {}, rows)]);
}

export function cells(values: readonly Child[]): Node[] {
  return values.map((value) => el('td', {}, [value]));
}

export function badge(text: string, kind: string, testId?: string): HTMLElement {
  return el('span', { class: `badge badge-${kind}`, 'data-testid': testId }, [text]);
}
