// The open channel's messages: rendering (markdown, mentions, avatars, grouping, attachments, reactions, replies,
// applications' components and marks), history paging, the "new messages" line, and edits, deletes and reactions from
// the page.
import { api } from './api.js';
import { EPHEMERAL, ephemeralNote, hasFlag, interactionHeader, LOADING, showsBotTag, thinking } from './appMessages.js';
import { renderComponents } from './components.js';
import { $, button, h } from './dom.js';
import { icon } from './icons.js';
import { hexColor, renderMarkdown, safeHref } from './markdown.js';
import { P } from './permissions.js';
import {
  actions,
  avatar,
  displayName,
  findChannel,
  isThread,
  lastRead,
  markdownContext,
  markRead,
  memberColor,
  memberName,
  myPermissions,
  snowflakeAfter,
  state,
} from './state.js';
import { canStartThread, openCreateThread, threadLink } from './threads.js';
import type { Attachment, Message, Reaction } from './types.js';

const PAGE_SIZE = 50;
/** Messages from one author this close together are grouped under one header, as Discord does. */
const GROUP_MS = 7 * 60_000;
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🔥', '👀', '✅', '🙏', '🚀', '👎'];

export const list = () => $<HTMLOListElement>('messages');

// Messages on screen by id, and our own optimistic copies by the nonce we gave them. Lookups compare values in these
// maps: ids and nonces come from other users, so they are never spliced into a CSS selector (a crafted nonce such as
// `x"],[data-id],[x="` would otherwise match, and replace, someone else's message).
const shown = new Map<string, HTMLLIElement>();
const messages = new Map<string, Message>();
export const pendingByNonce = new Map<string, HTMLLIElement>();

const paging = { oldestId: null as string | null, hasMore: true, loading: false, readBefore: null as string | null };
export const composerState = { replyTo: null as Message | null };

function formatTime(iso: string): string {
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return sameDay ? `Today at ${time}` : `${d.toLocaleDateString()} ${time}`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function mentionsMe(m: Message): boolean {
  const me = state.me;
  if (!me || m.author.id === me.id) return false;
  if (m.mention_everyone || m.mentions?.some((u) => u.id === me.id)) return true;
  const guildId = m.guild_id ?? findChannel(m.channel_id)?.guild_id;
  const myRoles = guildId ? (state.guilds.get(guildId)?.memberMap.get(me.id)?.roles ?? []) : [];
  return (m.mention_roles ?? []).some((r) => myRoles.includes(r));
}

function authorName(m: Message, guildId: string | undefined): string {
  const guild = guildId ? state.guilds.get(guildId) : undefined;
  return m.member?.nick || memberName(guild, m.author.id) || displayName(m.author);
}

/** An attachment's URL, absolute, and only if it is http(s). */
function attachmentUrl(raw: string): string {
  try {
    return safeHref(new URL(raw, location.href).href) ?? '#';
  } catch {
    return '#';
  }
}

function renderAttachment(a: Attachment): HTMLElement {
  const url = attachmentUrl(a.url);
  const isImage = (a.content_type?.startsWith('image/') ?? false) || (a.width && a.height);
  if (isImage && a.width && a.height) {
    const scale = Math.min(1, 400 / a.width, 300 / a.height);
    return h(
      'a',
      { class: 'attachment image', href: url, target: '_blank', rel: 'noopener noreferrer' },
      h('img', {
        src: url,
        alt: a.filename,
        width: String(Math.max(1, Math.round(a.width * scale))),
        height: String(Math.max(1, Math.round(a.height * scale))),
        loading: 'lazy',
      }),
    );
  }
  return h(
    'div',
    { class: 'attachment file' },
    h('span', { class: 'file-icon', 'aria-hidden': 'true' }, '📄'),
    h(
      'div',
      {},
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', download: a.filename }, a.filename),
      h('div', { class: 'file-size' }, formatSize(a.size)),
    ),
  );
}

export function emojiKey(e: Reaction['emoji']): string {
  return e.id ? `${e.name}:${e.id}` : (e.name ?? '');
}

function toggleReaction(m: Message, emoji: string, me: boolean): void {
  const path = `/channels/${m.channel_id}/messages/${m.id}/reactions/${encodeURIComponent(emoji)}/@me`;
  api(me ? 'DELETE' : 'PUT', path).catch(actions.showError);
}

function renderReactions(m: Message): HTMLElement {
  const box = h('div', { class: 'reactions' });
  for (const r of m.reactions ?? []) {
    if (r.count <= 0) continue;
    const key = emojiKey(r.emoji);
    const label = r.emoji.id
      ? h('img', { class: 'emoji', src: `/cdn/emojis/${r.emoji.id}.png`, alt: `:${r.emoji.name}:` })
      : (r.emoji.name ?? '');
    box.append(
      button([label, h('span', { class: 'count' }, String(r.count))], () => toggleReaction(m, key, r.me), {
        class: `reaction${r.me ? ' me' : ''}`,
        'aria-pressed': String(r.me),
        'aria-label': `${r.emoji.name}: ${r.count} reaction${r.count === 1 ? '' : 's'}${r.me ? ', including you' : ''}`,
        'data-emoji': key,
      }),
    );
  }
  return box;
}

/** A small picker of common emoji, shown next to the button that opened it. */
export function openEmojiPicker(anchor: HTMLElement, pick: (emoji: string) => void): void {
  document.querySelector('.emoji-picker')?.remove();
  const picker = h('div', { class: 'emoji-picker', role: 'menu', 'aria-label': 'Pick a reaction' });
  for (const e of QUICK_EMOJI) {
    picker.append(
      button(
        e,
        () => {
          picker.remove();
          pick(e);
        },
        { role: 'menuitem', 'aria-label': e },
      ),
    );
  }
  document.body.append(picker);
  const r = anchor.getBoundingClientRect();
  const top = Math.max(8, Math.min(r.bottom + 4, window.innerHeight - picker.offsetHeight - 8));
  const left = Math.max(8, Math.min(r.right - picker.offsetWidth, window.innerWidth - picker.offsetWidth - 8));
  picker.style.top = `${top}px`;
  picker.style.left = `${left}px`;
  (picker.firstElementChild as HTMLElement | null)?.focus();
  const close = (e: Event) => {
    if (e instanceof KeyboardEvent ? e.key === 'Escape' : !picker.contains(e.target as Node)) {
      picker.remove();
      document.removeEventListener('mousedown', close, true);
      document.removeEventListener('keydown', close, true);
    }
  };
  setTimeout(() => {
    document.addEventListener('mousedown', close, true);
    document.addEventListener('keydown', close, true);
  });
}

/** Replied-to messages fetched for replies whose `referenced_message` did not come along (null: deleted). */
const fetchedRefs = new Map<string, Promise<Message | null>>();

function fetchReferenced(m: Message, refId: string): void {
  let job = fetchedRefs.get(refId);
  if (!job) {
    job = api<Message>('GET', `/channels/${m.message_reference?.channel_id ?? m.channel_id}/messages/${refId}`).catch(
      () => null,
    );
    fetchedRefs.set(refId, job);
  }
  void job.then((ref) => {
    const current = messages.get(m.id);
    if (!current || current.referenced_message !== undefined) return;
    current.referenced_message = ref;
    rerenderOne(current.id);
  });
}

function renderReplyHeader(m: Message, guildId: string | undefined): HTMLElement | null {
  const refId = m.message_reference?.message_id;
  if (!refId || (m.type !== 19 && m.referenced_message === undefined)) return null;
  // GET …/messages may leave `referenced_message` out: the copy on screen, else one fetched.
  const ref = m.referenced_message !== undefined ? m.referenced_message : messages.get(refId);
  if (ref === undefined) {
    fetchReferenced(m, refId);
    return h('div', { class: 'reply-to' }, h('span', { class: 'reply-text' }, 'Loading the original message…'));
  }
  if (!ref) return h('div', { class: 'reply-to deleted' }, 'Original message was deleted');
  const snippet = ref.content
    ? ref.content.replace(/\s+/g, ' ').slice(0, 100)
    : ref.attachments?.length
      ? 'Click to see attachment'
      : '';
  const header = h(
    'div',
    { class: 'reply-to', role: 'link', tabindex: '0', title: 'Jump to the message' },
    avatar(ref.author, 16),
    h('span', { class: 'reply-author' }, `${authorName(ref, guildId)}: `),
    h('span', { class: 'reply-text' }, renderMarkdown(snippet, markdownContext(guildId, ref.mentions))),
  );
  header.addEventListener('click', () => {
    const target = shown.get(ref.id);
    if (!target) return;
    target.scrollIntoView({ block: 'center' });
    target.classList.add('flash');
    setTimeout(() => target.classList.remove('flash'), 1200);
  });
  return header;
}

function renderMessage(m: Message): HTMLLIElement {
  const mine = m.author.id === state.me?.id;
  const channel = findChannel(m.channel_id);
  const guildId = m.guild_id ?? channel?.guild_id;
  const guild = guildId ? state.guilds.get(guildId) : undefined;
  const content = hasFlag(m, LOADING)
    ? thinking(authorName(m, guildId))
    : h('div', { class: 'content' }, renderMarkdown(m.content, markdownContext(guildId, m.mentions)));
  const ephemeral = hasFlag(m, EPHEMERAL);
  const color = memberColor(guild, m.author.id);
  const name = button(authorName(m, guildId), () => actions.openProfile(m.author.id, guildId ?? null), {
    class: 'author',
  });
  if (color) name.style.color = hexColor(color);
  // Right-click: the Apps menu of context menu commands (user commands on the name, message commands elsewhere).
  name.addEventListener('contextmenu', (e) => {
    e.stopPropagation();
    actions.openAppsMenu(e, { user: m.author, channelId: m.channel_id });
  });
  const li = h(
    'li',
    {
      class: `message${mentionsMe(m) ? ' mentioned' : ''}${ephemeral ? ' ephemeral' : ''}`,
      'data-id': m.id,
      'data-author': m.author.id,
      'data-ts': String(Date.parse(m.timestamp)),
      'data-reply': [19, 20, 23].includes(m.type) || m.referenced_message !== undefined ? '1' : undefined,
    },
    interactionHeader(m) ?? renderReplyHeader(m, guildId),
    h('div', { class: 'gutter' }, avatar(m.author), h('span', { class: 'hover-time' }, shortTime(m.timestamp))),
    h(
      'div',
      { class: 'body' },
      h(
        'div',
        { class: 'meta' },
        name,
        showsBotTag(m) ? h('span', { class: 'bot-tag' }, 'BOT') : null,
        h(
          'time',
          { class: 'time', datetime: m.timestamp, title: new Date(m.timestamp).toLocaleString() },
          formatTime(m.timestamp),
        ),
      ),
      content,
      m.edited_timestamp
        ? h('span', { class: 'edited', title: new Date(m.edited_timestamp).toLocaleString() }, '(edited)')
        : null,
      m.attachments?.length ? h('div', { class: 'attachments' }, m.attachments.map(renderAttachment)) : null,
      renderComponents(m),
      renderReactions(m),
      threadLink(m),
      ephemeral ? ephemeralNote(() => removeMessage(m.id)) : null,
    ),
  );
  li.addEventListener('contextmenu', (e) => actions.openAppsMenu(e, { message: m }));
  const actionsBar = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Message actions' });
  // An ephemeral message is mine alone and not in the channel: nothing to react to, reply to or delete.
  const perms = channel && !ephemeral ? myPermissions(channel) : 0n;
  if (perms & P.ADD_REACTIONS) {
    const react = button(
      icon('smile', 18),
      () => {
        openEmojiPicker(react, (e) => {
          const existing = messages.get(m.id)?.reactions?.find((r) => emojiKey(r.emoji) === e);
          toggleReaction(m, e, existing?.me ?? false);
        });
      },
      { class: 'react', title: 'Add reaction', 'aria-label': 'Add reaction' },
    );
    actionsBar.append(react);
  }
  if (perms & P.SEND_MESSAGES) {
    actionsBar.append(button('Reply', () => startReply(m), { class: 'reply', title: 'Reply' }));
  }
  if (!ephemeral && canStartThread(m)) {
    actionsBar.append(button('Thread', () => openCreateThread(m), { class: 'create-thread', title: 'Create thread' }));
  }
  if (mine && !ephemeral) {
    actionsBar.append(button('Edit', () => startEdit(li, m), { class: 'edit', title: 'Edit' }));
  }
  if ((mine && !ephemeral) || perms & P.MANAGE_MESSAGES) {
    actionsBar.append(
      button(
        'Delete',
        () => {
          api('DELETE', `/channels/${m.channel_id}/messages/${m.id}`).catch(actions.showError);
        },
        { class: 'delete danger', title: 'Delete' },
      ),
    );
  }
  if (actionsBar.childElementCount) li.append(actionsBar);
  // Touch screens have no hover: a tap on the message shows its actions.
  li.addEventListener('click', (e) => {
    if (!matchMedia('(hover: none)').matches || (e.target as Element).closest('button, a, .spoiler')) return;
    for (const other of Array.from(list().querySelectorAll('.show-actions'))) {
      if (other !== li) other.classList.remove('show-actions');
    }
    li.classList.toggle('show-actions');
  });
  return li;
}

function shortTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Marks each message that continues its author's run (same author, within 7 minutes, not a reply, no divider). */
export function regroup(): void {
  let prev: HTMLElement | null = null;
  for (const el of Array.from(list().children) as HTMLElement[]) {
    if (!el.classList.contains('message')) {
      prev = null;
      continue;
    }
    const grouped =
      prev !== null &&
      prev.dataset.author === el.dataset.author &&
      el.dataset.reply !== '1' &&
      !el.classList.contains('pending') === !prev.classList.contains('pending') &&
      Number(el.dataset.ts) - Number(prev.dataset.ts) < GROUP_MS;
    el.classList.toggle('grouped', grouped);
    prev = el;
  }
}

function startEdit(li: HTMLLIElement, m: Message): void {
  const content = li.querySelector('.content');
  if (!content) return;
  const current = messages.get(m.id) ?? m;
  const box = h('textarea', { class: 'edit-box', 'aria-label': 'Edit message', maxlength: '2000', rows: '1' });
  box.value = current.content;
  const hint = h('div', { class: 'edit-hint' }, 'Escape to cancel • Enter to save');
  content.replaceWith(box);
  box.after(hint);
  autosize(box);
  box.focus();
  const finish = (save: boolean) => {
    box.onblur = null;
    hint.remove();
    if (save && box.value.trim() && box.value !== current.content) {
      api('PATCH', `/channels/${m.channel_id}/messages/${m.id}`, { content: box.value }).catch(actions.showError);
    }
    const guildId = current.guild_id ?? findChannel(current.channel_id)?.guild_id;
    box.replaceWith(
      h('div', { class: 'content' }, renderMarkdown(current.content, markdownContext(guildId, current.mentions))),
    );
  };
  box.oninput = () => autosize(box);
  box.onkeydown = (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      finish(true);
    }
    if (e.key === 'Escape') finish(false);
  };
  box.onblur = () => finish(true);
}

export function autosize(t: HTMLTextAreaElement): void {
  t.style.height = 'auto';
  t.style.height = `${Math.min(t.scrollHeight, 240)}px`;
}

export function startReply(m: Message): void {
  composerState.replyTo = m;
  const bar = $('replying');
  const guildId = m.guild_id ?? findChannel(m.channel_id)?.guild_id;
  bar.replaceChildren(
    h('span', {}, 'Replying to ', h('strong', {}, authorName(m, guildId))),
    button('✕', cancelReply, { class: 'cancel-reply', 'aria-label': 'Cancel reply' }),
  );
  bar.hidden = false;
  $('input').focus();
}

export function cancelReply(): void {
  composerState.replyTo = null;
  $('replying').hidden = true;
}

function nearBottom(): boolean {
  const el = list();
  return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
}

/** Shows a created message, or an edited one in place (`update`: an edit of a message not on screen is ignored). */
export function addMessage(m: Message, update = false): void {
  if (m.channel_id !== state.channelId) return;
  const mine = m.author.id === state.me?.id;
  const stick = nearBottom() || mine;
  const existing = shown.get(m.id);
  if (update && !existing) return;
  if (update) m = { ...messages.get(m.id)!, ...m };
  // Our own optimistic copy (matched by the nonce we chose) is replaced by the real one; nobody else's nonce counts.
  const nonce = mine && m.nonce !== undefined ? String(m.nonce) : undefined;
  const pending = nonce !== undefined ? pendingByNonce.get(nonce) : undefined;
  if (nonce !== undefined) pendingByNonce.delete(nonce);
  const el = renderMessage(m);
  shown.set(m.id, el);
  messages.set(m.id, m);
  if (existing) {
    if (existing.querySelector('.edit-box')) {
      // Being edited here: keep the editor, refresh what is around it.
      existing.querySelector('.reactions')?.replaceWith(renderReactions(m));
      return;
    }
    existing.replaceWith(el);
    pending?.remove();
  } else if (pending) pending.replaceWith(el);
  else list().append(el);
  state.typing.get(m.channel_id)?.delete(m.author.id);
  regroup();
  if (!update && document.visibilityState !== 'hidden') markRead(m.channel_id, m.id);
  if (stick) list().scrollTop = list().scrollHeight;
}

export function removeMessage(id: string): void {
  shown.get(id)?.remove();
  shown.delete(id);
  messages.delete(id);
  regroup();
}

/** Applies a reaction event to a message on screen. */
export function reactionChanged(
  messageId: string,
  emoji: Reaction['emoji'] | null,
  userId: string | null,
  delta: 1 | -1 | 0,
): void {
  const m = messages.get(messageId);
  const el = shown.get(messageId);
  if (!m || !el) return;
  let reactions = m.reactions ?? [];
  if (delta === 0) {
    reactions = emoji ? reactions.filter((r) => emojiKey(r.emoji) !== emojiKey(emoji)) : [];
  } else if (emoji) {
    const key = emojiKey(emoji);
    let r = reactions.find((x) => emojiKey(x.emoji) === key);
    if (!r) {
      r = { count: 0, me: false, emoji: { id: emoji.id ?? null, name: emoji.name ?? null } };
      reactions = [...reactions, r];
    }
    r.count += delta;
    if (userId === state.me?.id) r.me = delta > 0;
    reactions = reactions.filter((x) => x.count > 0);
  }
  m.reactions = reactions;
  el.querySelector('.reactions')?.replaceWith(renderReactions(m));
}

/** Re-renders one message on screen (e.g. a thread was started from it). */
export function rerenderOne(id: string): void {
  const el = shown.get(id);
  const m = messages.get(id);
  if (!el || !m || el.querySelector('.edit-box')) return;
  const next = renderMessage(m);
  el.replaceWith(next);
  shown.set(id, next);
  regroup();
}

/** Re-renders every message on screen (names, role colours and permissions changed). */
export function rerenderMessages(): void {
  for (const [id, el] of shown) {
    const m = messages.get(id);
    if (!m || el.querySelector('.edit-box')) continue;
    const next = renderMessage(m);
    el.replaceWith(next);
    shown.set(id, next);
  }
  regroup();
}

export function clearMessages(): void {
  shown.clear();
  messages.clear();
  pendingByNonce.clear();
  list().replaceChildren();
  paging.oldestId = null;
  paging.hasMore = true;
  paging.loading = false;
  paging.readBefore = state.channelId ? lastRead(state.channelId) : null;
}

export async function loadOlder(): Promise<void> {
  if (paging.loading || !paging.hasMore || !state.channelId) return;
  paging.loading = true;
  const channelId = state.channelId;
  try {
    const q = paging.oldestId ? `&before=${paging.oldestId}` : '';
    const page = await api<Message[]>('GET', `/channels/${channelId}/messages?limit=${PAGE_SIZE}${q}`);
    if (channelId !== state.channelId) return;
    const el = list();
    const first = paging.oldestId === null;
    const before = el.scrollHeight - el.scrollTop;
    const frag = document.createDocumentFragment();
    for (const m of [...page].reverse()) {
      if (shown.has(m.id)) continue;
      const li = renderMessage(m);
      shown.set(m.id, li);
      messages.set(m.id, m);
      frag.append(li);
    }
    el.querySelector('.start')?.remove();
    el.prepend(frag);
    if (page.length > 0) paging.oldestId = page[page.length - 1]!.id;
    paging.hasMore = page.length === PAGE_SIZE;
    if (!paging.hasMore) {
      const c = findChannel(channelId);
      const label =
        c?.type === 1
          ? 'your direct message history'
          : isThread(c)
            ? `the ${c?.name ?? ''} thread`
            : `#${c?.name ?? ''}`;
      el.prepend(
        h('li', { class: 'start' }, h('h2', { class: 'start-title' }, 'Welcome!'), `This is the start of ${label}.`),
      );
    }
    if (first) placeNewDivider();
    regroup();
    el.scrollTop = first ? el.scrollHeight : el.scrollHeight - before;
    if (first) {
      const divider = el.querySelector<HTMLElement>('.new-divider');
      if (divider) divider.scrollIntoView({ block: 'center' });
      markRead(channelId, page[0]?.id ?? findChannel(channelId)?.last_message_id);
      actions.renderAll();
    }
  } catch (e) {
    actions.showError(e);
  } finally {
    paging.loading = false;
  }
  // A short first page may not fill the view, so no scroll event would ever ask for more.
  if (paging.hasMore && list().scrollHeight <= list().clientHeight) void loadOlder();
}

/** The "new messages" line above the first message newer than what this browser had read. */
function placeNewDivider(): void {
  const read = paging.readBefore;
  if (!read) return;
  for (const [id, el] of shown) {
    const m = messages.get(id);
    if (m && m.author.id !== state.me?.id && snowflakeAfter(id, read)) {
      el.before(h('li', { class: 'new-divider', role: 'separator' }, h('span', {}, 'New messages')));
      return;
    }
  }
}
