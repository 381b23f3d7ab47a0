// A few inline SVG icons (no icon font, no emoji font needed), built as DOM nodes.
const PATHS = {
  speaker:
    'M11.4 4.2 6.9 8H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h2.9l4.5 3.8A1 1 0 0 0 13 19V5a1 1 0 0 0-1.6-.8ZM15.5 8.5a5 5 0 0 1 0 7l-1.1-1.1a3.4 3.4 0 0 0 0-4.8l1.1-1.1Zm2.5-2.5a8.5 8.5 0 0 1 0 12l-1.1-1.1a7 7 0 0 0 0-9.8L18 6Z',
  members:
    'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm0 2c-3.3 0-7 1.7-7 4.5V20h14v-2.5C16 14.7 12.3 13 9 13Zm7.5-2.2a3.5 3.5 0 1 0 0-6.9 5.5 5.5 0 0 1 0 6.9ZM18 13.3c1.6.8 3 2.1 3 4.2V20h-3v-2.5c0-1.7-.7-3.1-1.8-4.2h1.8Z',
  plus: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm5 11h-4v4h-2v-4H7v-2h4V7h2v4h4v2Z',
  menu: 'M3 6h18v2H3V6Zm0 5h18v2H3v-2Zm0 5h18v2H3v-2Z',
  gear: 'M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.7a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.7 1.7 1L11 21h4l.4-2.7c.6-.3 1.2-.6 1.7-1l2.5 1 2-3.5-2.2-1.8ZM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7Z',
  threads:
    'M5.4 3h2l-.6 3.5h3.5L11 3h2l-.6 3.5H15v2h-2.9l-.6 3.5H14v2h-2.8l-.7 4h-2l.7-4H5.7l-.7 4H3l.7-4H1v-2h3l.6-3.5H2v-2h2.9L5.4 3Zm1 5.5L5.9 12h3.5l.6-3.5H6.4ZM16 11h5a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-1v3l-3.5-3H16a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2Z',
  chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2Z',
  smile:
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20ZM8.5 8a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm7 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3ZM12 18a6 6 0 0 1-5.2-3h10.4A6 6 0 0 1 12 18Z',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, size = 20): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('svg-icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', PATHS[name]);
  svg.append(path);
  return svg;
}

/** Puts icons into the static page's elements marked `data-icon`. */
export function fillIcons(root: ParentNode = document): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-icon]'))) {
    el.replaceChildren(icon(el.dataset.icon as IconName, Number(el.dataset.iconSize ?? 20)));
  }
}
