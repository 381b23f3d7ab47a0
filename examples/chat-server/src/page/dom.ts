// Tiny DOM helpers: every element the page shows is built here from text nodes, never from HTML strings. Also the
// error toast, which every part of the page shows the same way.

export type Child = Node | string | null | false | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== false && c !== undefined) el.append(c);
  return el;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A `<button type=button>` with a click handler. */
export function button(
  label: Child | Child[],
  onClick: (e: MouseEvent) => void,
  props: Record<string, string | undefined> = {},
) {
  const b = h('button', { type: 'button', ...props }, ...(Array.isArray(label) ? label : [label]));
  b.addEventListener('click', onClick);
  return b;
}

/** Shows an error as a toast for six seconds. */
export function showError(e: unknown): void {
  const el = h('div', { class: 'toast error', role: 'alert' }, `⚠ ${e instanceof Error ? e.message : String(e)}`);
  $('toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}
