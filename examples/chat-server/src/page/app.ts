// The chat page. It speaks the same protocol as any Discord bot: REST under /api/v10 and the gateway over a
// WebSocket, through @concord/gateway-client's browser build (JSON + zlib-stream, resume, zombie detection).
import { GatewayConnection } from '@concord/gateway-client';

interface User {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}
interface Message {
  id: string;
  channel_id: string;
  author: User;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  nonce?: string | number;
  type: number;
  message_reference?: { message_id: string };
  referenced_message?: Message | null;
}
interface Channel {
  id: string;
  type: number;
  name: string;
  position?: number;
}
interface Member {
  user: User;
}

const PAGE_SIZE = 50;
// GUILDS | GUILD_MEMBERS | GUILD_PRESENCES | GUILD_MESSAGES | GUILD_MESSAGE_TYPING | MESSAGE_CONTENT
const INTENTS = 1 | 2 | 256 | 512 | 2048 | 32768;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string | null | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== false) el.append(c);
  return el;
}

const state = {
  token: '',
  me: null as User | null,
  guildId: '',
  channels: [] as Channel[],
  channelId: '',
  members: new Map<string, User>(),
  status: new Map<string, string>(),
  typing: new Map<string, number>(),
  oldestId: null as string | null,
  hasMore: true,
  loading: false,
  replyTo: null as Message | null,
};

let gateway: GatewayConnection | null = null;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  for (;;) {
    const res = await fetch(`/api/v10${path}`, {
      method,
      headers: { Authorization: state.token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 429) {
      const { retry_after } = (await res.json()) as { retry_after: number };
      await new Promise((r) => setTimeout(r, retry_after * 1000 + 50));
      continue;
    }
    if (res.status === 204) return undefined as T;
    const data = (await res.json()) as T & { message?: string };
    if (!res.ok) throw new Error(data.message ?? `HTTP ${res.status}`);
    return data;
  }
}

function displayName(user: User): string {
  return user.global_name || user.username;
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return sameDay ? `Today at ${time}` : `${d.toLocaleDateString()} ${time}`;
}

// ---- messages -------------------------------------------------------------------------------------------------

const list = () => $<HTMLOListElement>('messages');

// Messages on screen by id, and our own optimistic copies by the nonce we gave them. Lookups compare values in these
// maps: ids and nonces come from other users, so they are never spliced into a CSS selector (a crafted nonce such as
// `x"],[data-id],[x="` would otherwise match, and replace, someone else's message).
const shown = new Map<string, HTMLLIElement>();
const pendingByNonce = new Map<string, HTMLLIElement>();

function renderMessage(m: Message): HTMLLIElement {
  const mine = m.author.id === state.me?.id;
  const content = h('div', { class: 'content' }, m.content);
  const li = h(
    'li',
    { class: 'message', 'data-id': m.id, 'data-author': m.author.id },
    m.referenced_message !== undefined && m.message_reference
      ? h(
          'div',
          { class: 'reply-to' },
          m.referenced_message
            ? `${displayName(m.referenced_message.author)}: ${m.referenced_message.content.slice(0, 80)}`
            : 'Original message was deleted',
        )
      : null,
    h(
      'div',
      { class: 'meta' },
      h('span', { class: 'author' }, displayName(m.author)),
      m.author.bot ? h('span', { class: 'bot-tag' }, 'BOT') : null,
      h('span', { class: 'time', title: new Date(m.timestamp).toLocaleString() }, formatTime(m.timestamp)),
      m.edited_timestamp ? h('span', { class: 'edited' }, '(edited)') : null,
    ),
    content,
  );
  const actions = h('div', { class: 'actions' });
  const reply = h('button', { type: 'button', class: 'reply' }, 'Reply');
  reply.onclick = () => startReply(m);
  actions.append(reply);
  if (mine) {
    const edit = h('button', { type: 'button', class: 'edit' }, 'Edit');
    edit.onclick = () => startEdit(li, m);
    const del = h('button', { type: 'button', class: 'delete danger' }, 'Delete');
    del.onclick = () => {
      api('DELETE', `/channels/${m.channel_id}/messages/${m.id}`).catch(showError);
    };
    actions.append(edit, del);
  }
  li.append(actions);
  return li;
}

function startEdit(li: HTMLLIElement, m: Message): void {
  const content = li.querySelector('.content');
  if (!content) return;
  const box = h('input', { class: 'edit-box', value: m.content, maxlength: '2000' });
  content.replaceWith(box);
  box.focus();
  const finish = (save: boolean) => {
    box.onblur = null;
    if (save && box.value.trim() && box.value !== m.content) {
      api('PATCH', `/channels/${m.channel_id}/messages/${m.id}`, { content: box.value }).catch(showError);
    }
    box.replaceWith(h('div', { class: 'content' }, m.content));
  };
  box.onkeydown = (e) => {
    if (e.key === 'Enter') finish(true);
    if (e.key === 'Escape') finish(false);
  };
  box.onblur = () => finish(true);
}

function startReply(m: Message): void {
  state.replyTo = m;
  const bar = $('replying');
  const cancel = h('button', { type: 'button' }, '✕');
  cancel.onclick = () => {
    state.replyTo = null;
    bar.hidden = true;
  };
  bar.replaceChildren(`Replying to ${displayName(m.author)} `, cancel);
  bar.hidden = false;
  $('input').focus();
}

function nearBottom(): boolean {
  const el = list();
  return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
}

/** Shows a created message, or an edited one in place (`update`: an edit of a message not on screen is ignored). */
function addMessage(m: Message, update = false): void {
  if (m.channel_id !== state.channelId) return;
  const mine = m.author.id === state.me?.id;
  const stick = nearBottom() || mine;
  const existing = shown.get(m.id);
  if (update && !existing) return;
  // Our own optimistic copy (matched by the nonce we chose) is replaced by the real one; nobody else's nonce counts.
  const nonce = mine && m.nonce !== undefined ? String(m.nonce) : undefined;
  const pending = nonce !== undefined ? pendingByNonce.get(nonce) : undefined;
  if (nonce !== undefined) pendingByNonce.delete(nonce);
  const el = renderMessage(m);
  shown.set(m.id, el);
  if (existing) {
    existing.replaceWith(el);
    pending?.remove();
  } else if (pending) pending.replaceWith(el);
  else list().append(el);
  state.typing.delete(m.author.id);
  renderTyping();
  if (stick) list().scrollTop = list().scrollHeight;
}

async function loadOlder(): Promise<void> {
  if (state.loading || !state.hasMore || !state.channelId) return;
  state.loading = true;
  const channelId = state.channelId;
  try {
    const q = state.oldestId ? `&before=${state.oldestId}` : '';
    const page = await api<Message[]>('GET', `/channels/${channelId}/messages?limit=${PAGE_SIZE}${q}`);
    if (channelId !== state.channelId) return;
    const el = list();
    const first = state.oldestId === null;
    const before = el.scrollHeight - el.scrollTop;
    const frag = document.createDocumentFragment();
    for (const m of [...page].reverse()) {
      if (shown.has(m.id)) continue;
      const li = renderMessage(m);
      shown.set(m.id, li);
      frag.append(li);
    }
    el.querySelector('.start')?.remove();
    el.prepend(frag);
    if (page.length > 0) state.oldestId = page[page.length - 1]!.id;
    state.hasMore = page.length === PAGE_SIZE;
    if (!state.hasMore) el.prepend(h('li', { class: 'start' }, `This is the start of #${channelName()}.`));
    el.scrollTop = first ? el.scrollHeight : el.scrollHeight - before;
  } catch (e) {
    showError(e);
  } finally {
    state.loading = false;
  }
  // A short first page may not fill the view, so no scroll event would ever ask for more.
  if (state.hasMore && list().scrollHeight <= list().clientHeight) void loadOlder();
}

function channelName(): string {
  return state.channels.find((c) => c.id === state.channelId)?.name ?? '';
}

function selectChannel(id: string): void {
  state.channelId = id;
  state.oldestId = null;
  state.hasMore = true;
  state.replyTo = null;
  $('replying').hidden = true;
  shown.clear();
  pendingByNonce.clear();
  list().replaceChildren();
  $('channel-name').textContent = channelName();
  $<HTMLInputElement>('input').placeholder = `Message #${channelName()}`;
  renderChannels();
  void loadOlder();
}

function renderChannels(): void {
  const items = [...state.channels]
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
    .map((c) => {
      const voice = c.type === 2;
      const li = h(
        'li',
        { class: `${voice ? 'voice' : 'text'}${c.id === state.channelId ? ' active' : ''}` },
        h('span', { class: voice ? 'icon speaker' : 'icon' }, voice ? '' : '#'),
        c.name,
      );
      if (!voice) li.onclick = () => selectChannel(c.id);
      return li;
    });
  $('channels').replaceChildren(...items);
}

// ---- presence and typing -----------------------------------------------------------------------------------

function renderMembers(): void {
  const online: HTMLLIElement[] = [];
  const offline: HTMLLIElement[] = [];
  const users = [...state.members.values()].sort((a, b) => displayName(a).localeCompare(displayName(b)));
  for (const u of users) {
    const status = state.status.get(u.id) ?? 'offline';
    const li = h(
      'li',
      { class: status, 'data-user': u.id },
      h('span', { class: 'dot' }),
      displayName(u),
      u.bot ? h('span', { class: 'bot-tag' }, 'BOT') : null,
    );
    (status === 'offline' ? offline : online).push(li);
  }
  $('online').replaceChildren(...online);
  $('offline').replaceChildren(...offline);
  $('online-count').textContent = String(online.length);
  $('offline-count').textContent = String(offline.length);
}

function renderTyping(): void {
  const now = Date.now();
  const names: string[] = [];
  for (const [id, until] of state.typing) {
    if (until < now) state.typing.delete(id);
    else names.push(displayName(state.members.get(id) ?? { id, username: 'someone' }));
  }
  $('typing').textContent =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}
setInterval(renderTyping, 1000);

// ---- gateway ---------------------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: dispatch payloads are read field by field, as the server sends them.
function onDispatch(t: string, d: any): void {
  switch (t) {
    case 'READY':
      state.me = d.user;
      $('me-name').textContent = displayName(d.user);
      break;
    case 'GUILD_CREATE': {
      state.guildId = d.id;
      state.channels = d.channels;
      for (const m of d.members as Member[]) state.members.set(m.user.id, m.user);
      for (const p of d.presences ?? []) state.status.set(p.user.id, p.status);
      if (state.me) state.status.set(state.me.id, 'online');
      const first = state.channels.find((c) => c.type === 0);
      if (!state.channelId && first) selectChannel(first.id);
      else renderChannels();
      // GUILD_CREATE carries only some members in big guilds; the full list comes from REST.
      api<Member[]>('GET', `/guilds/${d.id}/members?limit=1000`)
        .then((members) => {
          for (const m of members) state.members.set(m.user.id, m.user);
          renderMembers();
        })
        .catch(showError);
      renderMembers();
      break;
    }
    case 'GUILD_MEMBER_ADD':
      state.members.set(d.user.id, d.user);
      renderMembers();
      break;
    case 'PRESENCE_UPDATE':
      state.status.set(d.user.id, d.status === 'invisible' ? 'offline' : d.status);
      if (d.user.username) state.members.set(d.user.id, { ...state.members.get(d.user.id), ...d.user });
      renderMembers();
      break;
    case 'MESSAGE_CREATE':
      addMessage(d);
      break;
    case 'MESSAGE_UPDATE':
      addMessage(d, true);
      break;
    case 'MESSAGE_DELETE':
      shown.get(d.id)?.remove();
      shown.delete(d.id);
      break;
    case 'TYPING_START':
      if (d.channel_id === state.channelId && d.user_id !== state.me?.id) {
        if (d.member?.user) state.members.set(d.user_id, d.member.user);
        state.typing.set(d.user_id, Date.now() + 10_000);
        renderTyping();
      }
      break;
  }
}

function showError(e: unknown): void {
  const el = h('li', { class: 'error' }, `⚠ ${e instanceof Error ? e.message : String(e)}`);
  list().append(el);
  setTimeout(() => el.remove(), 5000);
}

// ---- composer --------------------------------------------------------------------------------------------------

let lastTyping = 0;
function setupComposer(): void {
  const input = $<HTMLInputElement>('input');
  input.addEventListener('input', () => {
    if (!input.value || Date.now() - lastTyping < 8000) return;
    lastTyping = Date.now();
    api('POST', `/channels/${state.channelId}/typing`).catch(() => {});
  });
  $<HTMLFormElement>('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const content = input.value;
    if (!content.trim() || !state.channelId) return;
    input.value = '';
    lastTyping = 0;
    // Random, so another user cannot guess it (Discord allows 25 characters; a 64-bit decimal has at most 20).
    const nonce = crypto.getRandomValues(new BigUint64Array(1))[0]!.toString();
    const body: Record<string, unknown> = { content, nonce };
    if (state.replyTo) body.message_reference = { message_id: state.replyTo.id };
    state.replyTo = null;
    $('replying').hidden = true;
    const pending = h(
      'li',
      { class: 'message pending', 'data-nonce': nonce },
      h('div', { class: 'meta' }, h('span', { class: 'author' }, state.me ? displayName(state.me) : '')),
      h('div', { class: 'content' }, content),
    );
    pendingByNonce.set(nonce, pending);
    list().append(pending);
    list().scrollTop = list().scrollHeight;
    api<Message>('POST', `/channels/${state.channelId}/messages`, body)
      .then((m) => addMessage(m))
      .catch((err) => {
        pendingByNonce.delete(nonce);
        pending.remove();
        showError(err);
      });
  });
  list().addEventListener('scroll', () => {
    if (list().scrollTop < 120) void loadOlder();
  });
}

// ---- login -----------------------------------------------------------------------------------------------------

function start(token: string): void {
  state.token = token;
  $('login').hidden = true;
  $('app').hidden = false;
  const conn = $('conn');
  const connection = new GatewayConnection({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`,
    token,
    intents: INTENTS,
    properties: { os: navigator.platform || 'web', browser: 'concord-web', device: 'concord-web' },
    // Identify with a presence so the others see us come online.
    presence: { status: 'online', since: null, activities: [], afk: false },
  });
  gateway = connection;
  connection.on('dispatch', (p) => onDispatch(p.t, p.d));
  connection.on('ready', () => {
    conn.textContent = '';
  });
  connection.on('resumed', () => {
    conn.textContent = '';
  });
  connection.on('closed', (info) => {
    conn.textContent = info.next === 'none' ? 'disconnected' : 'reconnecting…';
  });
  conn.textContent = 'connecting…';
  connection.connect().catch(showError);
}

function main(): void {
  setupComposer();
  const saved = localStorage.getItem('concord.token');
  $<HTMLFormElement>('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $<HTMLInputElement>('login-name').value.trim();
    if (!name) return;
    localStorage.setItem('concord.token', name);
    start(name);
  });
  $('logout').onclick = () => {
    localStorage.removeItem('concord.token');
    gateway?.destroy();
    location.reload();
  };
  if (saved) start(saved);
  else $('login').hidden = false;
}

main();
