// A select menu as Discord draws one (a box showing the choice or the placeholder; a list of options, each with its
// emoji, label and description; checkboxes when more than one may be picked), used by message components and modals.
// The list opens below the box (above when there is no room) and commits when closed: at once for a single
// choice, on closing for several, and only between `min` and `max` values.
import { button, h } from './dom.js';

export interface MenuOption {
  value: string;
  label: string;
  description?: string;
  /** A unicode emoji, or a custom emoji's id (shown from the CDN). */
  emoji?: { id?: string | null; name?: string | null };
}

export interface SelectSpec {
  options: MenuOption[];
  placeholder?: string;
  min: number;
  max: number;
  selected: string[];
  disabled?: boolean;
  /** Called with the new values when a pick is committed. */
  onChange: (values: string[]) => void;
  /** An id for the box (tests and labels). */
  id?: string;
}

export function emojiNode(emoji: MenuOption['emoji']): Node | null {
  if (!emoji) return null;
  if (emoji.id && /^\d{1,20}$/.test(emoji.id)) {
    return h('img', { class: 'emoji', src: `/cdn/emojis/${emoji.id}.png`, alt: `:${emoji.name ?? ''}:` });
  }
  return emoji.name ? h('span', { class: 'emoji' }, emoji.name) : null;
}

/** The select box; its value is kept in `data-values` (JSON) for forms that read it. */
export function selectControl(spec: SelectSpec): HTMLElement {
  let selected = spec.selected.filter((v) => spec.options.some((o) => o.value === v));
  const max = Math.max(1, Math.min(spec.max, spec.options.length || 1));
  const min = Math.max(0, Math.min(spec.min, max));
  const label = h('span', { class: 'select-label' });
  const box = h('div', { class: 'select', ...(spec.id ? { id: spec.id } : {}) });
  const show = () => {
    const picked = spec.options.filter((o) => selected.includes(o.value));
    label.replaceChildren(
      ...(picked.length
        ? picked.flatMap((o, i) => [i ? ', ' : '', emojiNode(o.emoji) ?? '', o.label])
        : [h('span', { class: 'placeholder' }, spec.placeholder || 'Make a selection')]),
    );
    box.dataset.values = JSON.stringify(selected);
  };
  show();
  let closeMenu: ((commit: boolean) => void) | null = null;
  const trigger = button(
    [label, h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾')],
    () => {
      if (closeMenu) closeMenu(max > 1);
      else open();
    },
    {
      class: 'select-trigger',
      'aria-haspopup': 'listbox',
      ...(spec.disabled ? { disabled: '' } : {}),
    },
  );
  box.append(trigger);

  const open = () => {
    document.querySelector('.select-menu')?.remove();
    const before = [...selected];
    const menu = h('ul', {
      class: 'select-menu',
      role: 'listbox',
      'aria-multiselectable': max > 1 ? 'true' : undefined,
    });
    const close = (commit: boolean) => {
      closeMenu = null;
      menu.remove();
      document.removeEventListener('mousedown', outside, true);
      document.removeEventListener('keydown', onEscape, true);
      trigger.setAttribute('aria-expanded', 'false');
      const changed = before.length !== selected.length || before.some((v) => !selected.includes(v));
      if (!commit || !changed || selected.length < min) {
        selected = before;
        show();
        return;
      }
      show();
      spec.onChange([...selected]);
    };
    const outside = (e: Event) => {
      // A press on the box itself is left to its click, which closes the list.
      if (!menu.contains(e.target as Node) && !trigger.contains(e.target as Node)) close(max > 1);
    };
    const onEscape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close(false);
    };
    for (const o of spec.options) {
      const on = selected.includes(o.value);
      const item = h(
        'li',
        { role: 'option', 'aria-selected': String(on), tabindex: '-1', 'data-value': o.value },
        max > 1 ? h('span', { class: `checkbox${on ? ' on' : ''}`, 'aria-hidden': 'true' }) : null,
        emojiNode(o.emoji),
        h(
          'div',
          { class: 'option-text' },
          h('div', { class: 'option-label' }, o.label),
          o.description ? h('div', { class: 'option-description' }, o.description) : null,
        ),
      );
      item.addEventListener('click', () => {
        if (max === 1) {
          selected = [o.value];
          close(true);
          return;
        }
        if (selected.includes(o.value)) selected = selected.filter((v) => v !== o.value);
        else if (selected.length < max) selected = [...selected, o.value];
        const now = selected.includes(o.value);
        item.setAttribute('aria-selected', String(now));
        item.querySelector('.checkbox')?.classList.toggle('on', now);
        show();
      });
      menu.append(item);
    }
    if (!spec.options.length) menu.append(h('li', { class: 'empty' }, 'No options'));
    document.body.append(menu);
    closeMenu = close;
    trigger.setAttribute('aria-expanded', 'true');
    const r = trigger.getBoundingClientRect();
    menu.style.width = `${r.width}px`;
    menu.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - r.width - 8))}px`;
    const below = window.innerHeight - r.bottom - 8;
    if (below >= menu.offsetHeight || below >= r.top) menu.style.top = `${r.bottom + 4}px`;
    else menu.style.top = `${Math.max(8, r.top - menu.offsetHeight - 4)}px`;
    setTimeout(() => {
      document.addEventListener('mousedown', outside, true);
      document.addEventListener('keydown', onEscape, true);
    });
  };
  return box;
}
