// The one modal dialog every part of the page opens (settings, moderation, threads): a title, a close button and a
// body, plus the labelled field its forms are made of.
import { $, button, h } from './dom.js';

const dialog = () => $<HTMLDialogElement>('dialog');
let onClose: (() => void) | null = null;

export function closeDialog(): void {
  if (dialog().open) dialog().close();
}

/** Whether the dialog is open. */
export function dialogOpen(): boolean {
  return dialog().open;
}

/** Opens (or refills) the dialog; `wide` for the settings' two-column layouts. */
export function openDialog(title: string, ...body: Node[]): HTMLDialogElement {
  const d = dialog();
  // On a phone the drawer closes behind the dialog.
  $('app').classList.remove('drawer-open', 'members-open');
  onClose?.();
  onClose = null;
  const heading = h('h2', { id: 'dialog-title' }, title);
  d.setAttribute('aria-labelledby', 'dialog-title');
  d.replaceChildren(
    h(
      'header',
      { class: 'dialog-header' },
      heading,
      button('✕', closeDialog, { class: 'close', 'aria-label': 'Close' }),
    ),
    h('div', { class: 'dialog-body' }, ...body),
  );
  if (!d.open) d.showModal();
  return d;
}

/** Makes the open dialog wide until another one replaces it. */
export function widen(d: HTMLDialogElement): void {
  d.classList.add('wide');
  onClose = () => d.classList.remove('wide');
}

/** A labelled field: `<label>` wrapping its text and control. */
export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}
