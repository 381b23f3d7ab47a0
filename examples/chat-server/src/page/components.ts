// A message's components, drawn as Discord's client draws them: action rows of buttons (primary, secondary, success,
// danger; link buttons open their URL; disabled ones grey) and select menus (string selects with their options;
// user, role, mentionable and channel selects offering the guild's members, roles and channels), and the display
// components of V2 layouts (text, sections, thumbnails, galleries, separators, containers). A click or a pick sends
// a component interaction (type 3) naming the message, its flags, the component's type and custom_id and the values;
// the control waits until the application answers, and "This interaction failed" shows if it does not.
import { button, h } from './dom.js';
import { invokeInteraction } from './interactions.js';
import { hexColor, renderMarkdown, safeHref } from './markdown.js';
import { emojiNode, type MenuOption, selectControl } from './selectMenu.js';
import { displayName, findChannel, markdownContext, state } from './state.js';
import type { Component, Message } from './types.js';

const BUTTON_STYLES: Record<number, string> = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger' };

/** Sends a component interaction from `control` (busy until the answer) of message `m`. */
function interact(m: Message, control: HTMLElement, c: Component, values?: string[]): void {
  const box = control.closest('.components');
  box?.querySelector('.interaction-failed')?.remove();
  control.classList.add('busy');
  control.setAttribute('aria-busy', 'true');
  const done = () => {
    control.classList.remove('busy');
    control.removeAttribute('aria-busy');
  };
  invokeInteraction(
    3,
    m.application_id ?? m.author.id,
    m.channel_id,
    { component_type: c.type, custom_id: c.custom_id, ...(values ? { values } : {}) },
    {
      succeeded: done,
      failed: (reason) => {
        done();
        box?.append(h('p', { class: 'interaction-failed', role: 'alert' }, reason ?? 'This interaction failed'));
      },
    },
    { message_id: m.id, message_flags: m.flags ?? 0 },
  );
}

function renderButton(m: Message, c: Component): HTMLElement {
  const label = [emojiNode(c.emoji), c.label ? h('span', { class: 'label' }, c.label) : null];
  if (c.style === 5) {
    const href = safeHref(c.url);
    if (!href || c.disabled) {
      return h('button', { type: 'button', class: 'component-button secondary', disabled: '' }, ...label);
    }
    return h(
      'a',
      { class: 'component-button secondary link', href, target: '_blank', rel: 'noopener noreferrer' },
      ...label,
      h('span', { class: 'external', 'aria-hidden': 'true' }, '↗'),
    );
  }
  const style = BUTTON_STYLES[c.style ?? 2] ?? 'secondary';
  const b = button(label, () => interact(m, b, c), {
    class: `component-button ${style}`,
    'data-custom-id': c.custom_id,
    ...(c.disabled || c.style === 6 ? { disabled: '' } : {}),
  });
  return b;
}

/** The choices of a select: its own options, or the guild's users, roles or channels for the auto-filled ones. */
function selectOptions(m: Message, c: Component): MenuOption[] {
  if (c.type === 3) {
    return (c.options ?? []).map((o) => ({
      value: o.value,
      label: o.label,
      description: o.description,
      emoji: o.emoji,
    }));
  }
  const channel = findChannel(m.channel_id);
  const guild = channel?.guild_id ? state.guilds.get(channel.guild_id) : undefined;
  const out: MenuOption[] = [];
  if (c.type === 5 || c.type === 7) {
    const users = guild ? [...guild.memberMap.values()].map((x) => x.user) : (channel?.recipients ?? []);
    for (const u of [...users].sort((a, b) => displayName(a).localeCompare(displayName(b)))) {
      const label = displayName(u);
      out.push({ value: u.id, label, description: label === u.username ? undefined : u.username });
    }
  }
  if ((c.type === 6 || c.type === 7) && guild) {
    for (const r of guild.roles) if (r.id !== guild.id) out.push({ value: r.id, label: `@${r.name}` });
  }
  if (c.type === 8 && guild) {
    for (const ch of guild.channels) {
      if (!c.channel_types?.length || c.channel_types.includes(ch.type)) {
        out.push({ value: ch.id, label: `#${ch.name ?? ch.id}` });
      }
    }
  }
  return out.slice(0, 100);
}

function renderSelect(m: Message, c: Component): HTMLElement {
  const options = selectOptions(m, c);
  const selected =
    c.type === 3
      ? (c.options ?? []).filter((o) => o.default).map((o) => o.value)
      : (c.default_values ?? []).map((v) => v.id);
  const control: HTMLElement = selectControl({
    options,
    placeholder: c.placeholder,
    min: c.min_values ?? 1,
    max: c.max_values ?? 1,
    selected,
    disabled: c.disabled,
    onChange: (values) => interact(m, control, c, values),
  });
  if (c.custom_id) control.dataset.customId = c.custom_id;
  return control;
}

function mediaUrl(raw: string | undefined): string | null {
  return safeHref(raw);
}

function renderOne(m: Message, c: Component): HTMLElement | null {
  const guildId = m.guild_id ?? findChannel(m.channel_id)?.guild_id;
  switch (c.type) {
    case 1:
      return h('div', { class: 'component-row' }, ...(c.components ?? []).map((x) => renderOne(m, x)));
    case 2:
      return renderButton(m, c);
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
      return renderSelect(m, c);
    case 9:
      return h(
        'div',
        { class: 'component-section' },
        h('div', { class: 'section-text' }, ...(c.components ?? []).map((x) => renderOne(m, x))),
        c.accessory ? renderOne(m, c.accessory) : null,
      );
    case 10:
      return h(
        'div',
        { class: 'text-display content' },
        renderMarkdown(c.content ?? '', markdownContext(guildId, m.mentions)),
      );
    case 11: {
      const url = mediaUrl(c.media?.url);
      return url ? h('img', { class: 'thumbnail', src: url, alt: c.description ?? '', loading: 'lazy' }) : null;
    }
    case 12:
      return h(
        'div',
        { class: 'media-gallery' },
        ...(c.items ?? []).map((item) => {
          const url = mediaUrl(item.media?.url);
          return url
            ? h('img', { class: 'gallery-item', src: url, alt: item.description ?? '', loading: 'lazy' })
            : null;
        }),
      );
    case 14:
      return c.divider === false
        ? h('div', { class: `separator-space${c.spacing === 2 ? ' large' : ''}` })
        : h('hr', { class: `separator${c.spacing === 2 ? ' large' : ''}` });
    case 17: {
      const box = h('div', { class: 'component-container' }, ...(c.components ?? []).map((x) => renderOne(m, x)));
      if (c.accent_color != null) box.style.borderLeftColor = hexColor(c.accent_color);
      return box;
    }
    default:
      return null;
  }
}

/** The message's components (null when it has none). */
export function renderComponents(m: Message): HTMLElement | null {
  if (!m.components?.length) return null;
  return h('div', { class: 'components' }, ...m.components.map((c) => renderOne(m, c)));
}
