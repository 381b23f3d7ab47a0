// An application's modal (INTERACTION_MODAL_CREATE, the answer to a command or a component): the page's dialog with
// the modal's title, the app's name, its text inputs (short or paragraph; label, placeholder, prefilled value,
// required, min and max length, checked by the form before it is sent), string selects and text. Submit sends the
// modal submit interaction (type 5) with every input's custom_id and value, and the dialog closes once the
// application has answered; "Something went wrong" shows in the form if it does not.
import { closeDialog, openDialog } from './dialog.js';
import { button, h } from './dom.js';
import { invokeInteraction } from './interactions.js';
import { renderMarkdown } from './markdown.js';
import { selectControl } from './selectMenu.js';
import { avatar, findChannel, markdownContext, state } from './state.js';
import type { Component } from './types.js';

export interface ModalCreate {
  id: string;
  nonce?: string;
  channel_id: string;
  title: string;
  custom_id: string;
  components: Component[];
  application: { id: string; name?: string; icon?: string | null };
}

/** A control of the form and how it reads back as a submitted component. */
type Reader = () => Record<string, unknown>;

function textInput(c: Component): [HTMLElement, Reader] {
  const props: Record<string, string | undefined> = {
    name: c.custom_id,
    'data-custom-id': c.custom_id,
    placeholder: c.placeholder,
    minlength: c.min_length !== undefined ? String(c.min_length) : undefined,
    maxlength: String(c.max_length ?? 4000),
    ...(c.required !== false ? { required: '' } : {}),
  };
  const control =
    c.style === 2 ? h('textarea', { ...props, rows: '4' }) : h('input', { ...props, autocomplete: 'off' });
  control.value = c.value ?? '';
  return [
    control,
    () => ({ type: 4, ...(c.id !== undefined ? { id: c.id } : {}), custom_id: c.custom_id, value: control.value }),
  ];
}

function selectInput(c: Component): [HTMLElement, Reader] {
  let values = (c.options ?? []).filter((o) => o.default).map((o) => o.value);
  const control = selectControl({
    options: (c.options ?? []).map((o) => ({
      value: o.value,
      label: o.label,
      description: o.description,
      emoji: o.emoji,
    })),
    placeholder: c.placeholder,
    min: c.min_values ?? 1,
    max: c.max_values ?? 1,
    selected: values,
    onChange: (next) => {
      values = next;
    },
  });
  return [control, () => ({ type: 3, ...(c.id !== undefined ? { id: c.id } : {}), custom_id: c.custom_id, values })];
}

function labelled(text: string, description: string | undefined, required: boolean, control: HTMLElement) {
  return h(
    'label',
    { class: 'field modal-field' },
    h('span', {}, text, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    description ? h('small', { class: 'muted' }, description) : null,
    control,
  );
}

/** Draws one top-level component of the modal; its readers go into `readers`. */
function renderField(c: Component, readers: Reader[], guildId: string | undefined): HTMLElement | null {
  if (c.type === 1) {
    const inner = (c.components ?? []).find((x) => x.type === 4);
    if (!inner) return null;
    const [control, read] = textInput(inner);
    readers.push(() => ({ type: 1, ...(c.id !== undefined ? { id: c.id } : {}), components: [read()] }));
    return labelled(inner.label ?? '', undefined, inner.required !== false, control);
  }
  if (c.type === 18 && c.component) {
    const inner = c.component;
    const made = inner.type === 4 ? textInput(inner) : inner.type === 3 ? selectInput(inner) : null;
    if (!made) return null;
    const [control, read] = made;
    readers.push(() => ({ type: 18, ...(c.id !== undefined ? { id: c.id } : {}), component: read() }));
    return labelled(c.label ?? '', c.description, inner.required !== false, control);
  }
  if (c.type === 10) {
    return h('div', { class: 'text-display content' }, renderMarkdown(c.content ?? '', markdownContext(guildId)));
  }
  return null;
}

export function openModal(d: ModalCreate): void {
  const guildId = findChannel(d.channel_id)?.guild_id;
  const readers: Reader[] = [];
  const fields = (d.components ?? []).map((c) => renderField(c, readers, guildId));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: '' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'modal-submit' }, 'Submit');
  const bot = state.users.get(d.application.id);
  const form = h(
    'form',
    { id: 'modal-form', class: 'stack modal-form', 'data-custom-id': d.custom_id },
    h(
      'div',
      { class: 'modal-app' },
      bot ? avatar(bot, 20) : null,
      h('span', {}, d.application.name ?? bot?.username ?? 'App'),
    ),
    ...fields,
    error,
    h('div', { class: 'row end' }, button('Cancel', closeDialog, { class: 'link-button', id: 'modal-cancel' }), submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity() || submit.disabled) return;
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = 'Submitting…';
    const again = (text: string) => {
      submit.disabled = false;
      submit.textContent = 'Submit';
      error.textContent = text;
      error.hidden = false;
    };
    invokeInteraction(
      5,
      d.application.id,
      d.channel_id,
      { id: d.id, custom_id: d.custom_id, components: readers.map((read) => read()) },
      {
        succeeded: () => {
          if (form.isConnected) closeDialog();
        },
        failed: (reason) => again(reason ?? 'Something went wrong. Try again.'),
      },
    );
  });
  openDialog(d.title || 'Form', form);
  form.querySelector<HTMLElement>('input, textarea')?.focus();
}
