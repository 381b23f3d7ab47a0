// Threads, as Discord's client shows them: start one from a message (POST /channels/{c}/messages/{m}/threads, so the
// thread's id is the message's) or in a channel, the header's list of a channel's active threads
// (GET /guilds/{g}/threads/active), and the "thread: <name>" link under a message that started one. A thread opens
// as a channel view: its messages, composer and reactions are the same /channels/{thread}/… routes.
import { api } from './api.js';
import { closeDialog, field, openDialog } from './dialog.js';
import { button, h } from './dom.js';
import { errorText } from './moderation.js';
import { P } from './permissions.js';
import { upsertChannel } from './settings.js';
import { actions, canView, findChannel, type GuildState, isThread, myPermissions, state } from './state.js';
import type { Channel, Message } from './types.js';

/** The channel's threads the page knows of and I can see (archived ones only with `archived`), newest first. */
export function threadsOf(guild: GuildState, parentId: string, archived = false): Channel[] {
  return guild.channels
    .filter((c) => isThread(c) && c.parent_id === parentId && (archived || !c.thread_metadata?.archived) && canView(c))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1));
}

/** The thread a message started (its id is the message's), if the page knows it. */
export function threadOfMessage(m: Message): Channel | undefined {
  const c = findChannel(m.id);
  return c && isThread(c) ? c : undefined;
}

function open(thread: Channel): void {
  closeDialog();
  actions.selectChannel(thread.id);
}

/** The small "thread: <name>" link under a message that started a thread. */
export function threadLink(m: Message): HTMLElement | null {
  const thread = threadOfMessage(m);
  if (!thread) return null;
  return button(['thread: ', h('span', { class: 'thread-name' }, thread.name ?? '')], () => open(thread), {
    class: 'thread-link',
    'aria-label': `Open thread ${thread.name}`,
  });
}

/** Whether I may start a thread on this message (a text or announcement channel, CREATE_PUBLIC_THREADS). */
export function canStartThread(m: Message): boolean {
  const c = findChannel(m.channel_id);
  return (
    c !== undefined &&
    (c.type === 0 || c.type === 5) &&
    !threadOfMessage(m) &&
    !!(myPermissions(c) & P.CREATE_PUBLIC_THREADS)
  );
}

function threadForm(defaultName: string, create: (name: string) => Promise<Channel>): HTMLFormElement {
  const name = h('input', { id: 'thread-name', required: '', maxlength: '100', autocomplete: 'off' });
  name.value = defaultName;
  const error = h('p', { class: 'form-error', role: 'alert', hidden: '' });
  const form = h(
    'form',
    { class: 'stack', id: 'thread-form' },
    field('Thread name', name),
    error,
    h(
      'div',
      { class: 'row end' },
      h('button', { type: 'submit', class: 'primary', id: 'thread-create' }, 'Create thread'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    create(name.value.trim())
      .then((thread) => {
        const g = thread.guild_id ? state.guilds.get(thread.guild_id) : undefined;
        if (g) upsertChannel(g, thread);
        actions.renderAll();
        open(thread);
      })
      .catch((err) => {
        error.textContent = errorText(err);
        error.hidden = false;
      });
  });
  queueMicrotask(() => name.select());
  return form;
}

/** "Create thread" on a message: the thread takes the message's id and starts from it. */
export function openCreateThread(m: Message): void {
  const snippet = m.content.replace(/\s+/g, ' ').trim().slice(0, 40);
  openDialog(
    'Create thread',
    h('p', { class: 'muted' }, 'Start a thread from this message.'),
    threadForm(snippet || 'New thread', (name) =>
      api<Channel>('POST', `/channels/${m.channel_id}/messages/${m.id}/threads`, { name }),
    ),
  );
}

/** The header's Threads button: the open channel's (or the open thread's parent's) active threads, and a new one. */
export function openThreadList(): void {
  const here = findChannel(state.channelId);
  const parent = isThread(here) ? findChannel(here?.parent_id ?? null) : here;
  const g = parent?.guild_id ? state.guilds.get(parent.guild_id) : undefined;
  if (!parent || !g) return;
  const listEl = h(
    'ul',
    { class: 'thread-list', 'aria-label': 'Active threads' },
    h('li', { class: 'muted' }, 'Loading…'),
  );
  const draw = () => {
    const threads = threadsOf(g, parent.id);
    listEl.replaceChildren(
      ...threads.map((t) =>
        h(
          'li',
          { 'data-id': t.id },
          button(
            [
              h('span', { class: 'thread-hash', 'aria-hidden': 'true' }, '#'),
              h('span', { class: 'name' }, t.name ?? ''),
            ],
            () => open(t),
            {
              class: 'thread-open',
            },
          ),
        ),
      ),
    );
    if (threads.length === 0) listEl.append(h('li', { class: 'muted empty' }, `No active threads in #${parent.name}.`));
  };
  const body: Node[] = [listEl];
  if (myPermissions(parent) & P.CREATE_PUBLIC_THREADS) {
    body.push(
      h('h3', {}, 'Start a thread'),
      threadForm('', (name) => api<Channel>('POST', `/channels/${parent.id}/threads`, { name, type: 11 })),
    );
  }
  openDialog(`Threads in #${parent.name}`, ...body);
  api<{ threads: Channel[] }>('GET', `/guilds/${g.id}/threads/active`)
    .then((res) => {
      for (const t of res.threads ?? []) upsertChannel(g, t);
      draw();
      actions.renderAll();
    })
    .catch((e) => {
      draw();
      actions.showError(e);
    });
}
