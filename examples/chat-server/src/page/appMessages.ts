// What marks a message as an application's: the "<user> used /name" line above an interaction's response, the BOT
// tag of bots and webhooks, "<bot> is thinking…" for a deferred response (flag LOADING, 128), and for an ephemeral
// message (flag EPHEMERAL, 64) "Only you can see this" with the link that dismisses it, as Discord's client shows them.
import { button, h } from './dom.js';
import { invokedCommandName } from './interactions.js';
import { avatar, displayName } from './state.js';
import type { Message, User } from './types.js';

export const EPHEMERAL = 64;
export const LOADING = 128;

/** The line above a command's response: who used which command (types 20 chat input, 23 context menu). */
export function interactionHeader(m: Message): HTMLElement | null {
  const meta = m.interaction_metadata;
  if ((m.type !== 20 && m.type !== 23) || !meta) return null;
  const name = m.interaction?.name ?? meta.name ?? invokedCommandName(meta.id);
  return usedCommandLine(meta.user, name, m.type === 20);
}

/** "<avatar> <user> used /name" (a context menu command has no slash). */
export function usedCommandLine(user: User, name: string | undefined, slash: boolean): HTMLElement {
  return h(
    'div',
    { class: 'interaction-header' },
    avatar(user, 16),
    h('span', { class: 'reply-author' }, displayName(user)),
    ' used ',
    name ? h('span', { class: 'command-name' }, `${slash ? '/' : ''}${name}`) : 'a command',
  );
}

/** Whether the author shows the BOT tag: bot users, and webhooks (which interaction responses come through). */
export function showsBotTag(m: Message): boolean {
  return Boolean(m.author.bot || m.webhook_id);
}

/** "<bot> is thinking…" in place of a deferred response's (empty) content. */
export function thinking(name: string): HTMLElement {
  return h(
    'div',
    { class: 'content thinking' },
    `${name} is thinking`,
    h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i', {}), h('i', {}), h('i', {})),
  );
}

/** "Only you can see this • Dismiss message" under an ephemeral message. */
export function ephemeralNote(dismiss: () => void): HTMLElement {
  return h(
    'div',
    { class: 'ephemeral-note' },
    h('span', { class: 'eye', 'aria-hidden': 'true' }, '👁'),
    'Only you can see this • ',
    button('Dismiss message', dismiss, { class: 'link dismiss' }),
  );
}

/** Whether a message carries `flag`. */
export function hasFlag(m: Pick<Message, 'flags'>, flag: number): boolean {
  return ((m.flags ?? 0) & flag) !== 0;
}
