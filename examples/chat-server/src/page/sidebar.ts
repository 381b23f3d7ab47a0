// The panels around the messages: the server list, the channel list (or the DM list on the home), the member list,
// the channel header (with what the composer allows) and the typing line. Picking a server or channel is handed back
// to navigation through the callbacks given to setupSidebar, so this module does not import it.
import { api } from './api.js';
import { $, button, h, showError } from './dom.js';
import { icon } from './icons.js';
import { hexColor } from './markdown.js';
import { shortTime } from './moderation.js';
import { P } from './permissions.js';
import { openChannelSettings, openCreateChannel, openGuildSettings, openInvite, openProfile } from './settings.js';
import {
  avatar,
  canManage,
  canView,
  channelLabel,
  currentGuild,
  displayName,
  findChannel,
  type GuildState,
  isThread,
  isUnread,
  memberColor,
  myPermissions,
  state,
  timedOutUntil,
} from './state.js';
import { threadsOf } from './threads.js';
import type { Channel } from './types.js';
import { voiceMembersList } from './voiceMembers.js';

/** What a click in the sidebar asks of navigation: both are the user's own pick. */
export interface SidebarCallbacks {
  pickGuild: (id: string | null) => void;
  pickChannel: (id: string) => void;
  /** A voice channel clicked: join it. */
  joinVoice: (guildId: string, channelId: string) => void;
}

let callbacks: SidebarCallbacks = {
  pickGuild: () => undefined,
  pickChannel: () => undefined,
  joinVoice: () => undefined,
};

export function setupSidebar(given: SidebarCallbacks): void {
  callbacks = given;
}

const collapsed = new Set<string>(JSON.parse(localStorage.getItem('concord.collapsed') ?? '[]') as string[]);

// ---- server list -------------------------------------------------------------------------------------------------

function initials(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => Array.from(w)[0])
      .join('')
      .slice(0, 3) || '?'
  );
}

function guildUnread(g: GuildState): boolean {
  return g.channels.some((c) => (c.type === 0 || c.type === 5) && canView(c) && isUnread(c));
}

export function renderGuilds(): void {
  const items = state.guildOrder
    .map((id) => state.guilds.get(id))
    .filter((g): g is GuildState => g !== undefined)
    .map((g) => {
      const active = g.id === state.guildId;
      const b = button(initials(g.name), () => callbacks.pickGuild(g.id), {
        class: `guild-icon${active ? ' active' : ''}`,
        title: g.name,
        'aria-label': g.name,
        'aria-current': active ? 'true' : undefined,
        'data-guild': g.id,
      });
      return h('li', { class: guildUnread(g) && !active ? 'unread' : '' }, b);
    });
  $('guilds').replaceChildren(...items);
  const home = $('home-btn');
  home.classList.toggle('active', state.guildId === null);
  home.setAttribute('aria-current', state.guildId === null ? 'true' : 'false');
  home.parentElement!.classList.toggle('unread', state.guildId !== null && [...state.dms.values()].some(isUnread));
}

// ---- channel list ------------------------------------------------------------------------------------------------

export const byPosition = (a: Channel, b: Channel) =>
  (a.type === 2 ? 1 : 0) - (b.type === 2 ? 1 : 0) || (a.position ?? 0) - (b.position ?? 0) || (a.id < b.id ? -1 : 1);

function channelItem(g: GuildState, c: Channel): HTMLLIElement {
  const voice = c.type === 2 || c.type === 13;
  const active = c.id === state.channelId;
  const unread = !active && !voice && isUnread(c);
  const li = h('li', {
    class: `channel ${voice ? 'voice' : 'text'}${active ? ' active' : ''}${unread ? ' unread' : ''}`,
    'data-id': c.id,
  });
  const label = [
    h('span', { class: voice ? 'icon speaker' : 'icon', 'aria-hidden': 'true' }, voice ? icon('speaker', 16) : '#'),
    h('span', { class: 'name' }, c.name ?? ''),
  ];
  li.append(
    voice
      ? button(label, () => callbacks.joinVoice(g.id, c.id), { class: 'channel-link', 'aria-label': `Join ${c.name}` })
      : button(label, () => callbacks.pickChannel(c.id), {
          class: 'channel-link',
          'aria-current': active ? 'page' : undefined,
          'aria-label': `${c.name}${unread ? ' (unread)' : ''}`,
        }),
  );
  if (canManage(g, P.MANAGE_CHANNELS) || canManage(g, P.MANAGE_ROLES)) {
    li.append(
      button(icon('gear', 16), () => openChannelSettings(g, c), {
        class: 'icon-btn gear',
        'aria-label': `Edit ${c.name}`,
      }),
    );
  }
  // Who is in a voice channel shows under it.
  const inVoice = voice ? voiceMembersList(g, c.id) : null;
  if (inVoice) li.append(inVoice);
  return li;
}

/** A thread under its parent in the list (indented, with Discord's spine). */
function threadItem(t: Channel): HTMLLIElement {
  const active = t.id === state.channelId;
  const unread = !active && isUnread(t);
  return h(
    'li',
    { class: `channel thread${active ? ' active' : ''}${unread ? ' unread' : ''}`, 'data-id': t.id },
    button(
      [h('span', { class: 'spine', 'aria-hidden': 'true' }), h('span', { class: 'name' }, t.name ?? '')],
      () => callbacks.pickChannel(t.id),
      {
        class: 'channel-link',
        'aria-current': active ? 'page' : undefined,
        'aria-label': `Thread ${t.name}${unread ? ' (unread)' : ''}`,
      },
    ),
  );
}

/** A channel and, below it, its active threads. */
function withThreads(g: GuildState, c: Channel): HTMLLIElement[] {
  return [channelItem(g, c), ...threadsOf(g, c.id).map(threadItem)];
}

export function renderChannels(): void {
  const g = currentGuild();
  const ul = $('channels');
  if (!g) {
    renderDmList();
    return;
  }
  $('guild-name').textContent = g.name;
  const visible = g.channels.filter((c) => c.type !== 4 && canView(c) && !isThread(c));
  const categories = g.channels.filter((c) => c.type === 4).sort(byPosition);
  const items: HTMLLIElement[] = [];
  for (const c of visible
    .filter((x) => !x.parent_id || !categories.some((k) => k.id === x.parent_id))
    .sort(byPosition)) {
    items.push(...withThreads(g, c));
  }
  const manage = canManage(g, P.MANAGE_CHANNELS);
  for (const cat of categories) {
    const kids = visible.filter((c) => c.parent_id === cat.id).sort(byPosition);
    if (kids.length === 0 && !(canView(cat) && manage)) continue;
    const isCollapsed = collapsed.has(cat.id);
    const header = h(
      'li',
      { class: 'category', 'data-id': cat.id },
      button(
        [h('span', { class: 'caret', 'aria-hidden': 'true' }, isCollapsed ? '▸' : '▾'), cat.name ?? ''],
        () => {
          if (collapsed.has(cat.id)) collapsed.delete(cat.id);
          else collapsed.add(cat.id);
          localStorage.setItem('concord.collapsed', JSON.stringify([...collapsed]));
          renderChannels();
        },
        { class: 'category-toggle', 'aria-expanded': String(!isCollapsed) },
      ),
    );
    if (manage) {
      header.append(
        button('+', () => openCreateChannel(g, cat.id), {
          class: 'icon-btn',
          'aria-label': `Create a channel in ${cat.name}`,
        }),
      );
    }
    items.push(header);
    for (const c of kids) {
      if (!isCollapsed) items.push(...withThreads(g, c));
      else if (c.id === state.channelId) items.push(channelItem(g, c));
      else {
        const open = threadsOf(g, c.id).find((t) => t.id === state.channelId);
        if (open) items.push(threadItem(open));
      }
    }
  }
  ul.replaceChildren(...items);
  const actionsEl = $('guild-actions');
  const invite = g.channels.find((c) => c.id === state.channelId && canView(c)) ?? visible.find((c) => c.type === 0);
  actionsEl.replaceChildren(
    invite && myPermissions(invite) & P.CREATE_INSTANT_INVITE
      ? button('Invite people', () => openInvite(g, invite.id), { id: 'invite-btn' })
      : '',
    manage ? button('New channel', () => openCreateChannel(g), { id: 'new-channel-btn' }) : '',
    manage ? button('New category', () => openCreateChannel(g, null, true), { id: 'new-category-btn' }) : '',
    button('Settings', () => openGuildSettings(g), { id: 'guild-settings-btn' }),
    g.owner_id !== state.me?.id
      ? button(
          'Leave',
          () => {
            if (confirm(`Leave ${g.name}?`)) api('DELETE', `/users/@me/guilds/${g.id}`).catch(showError);
          },
          { class: 'danger' },
        )
      : '',
  );
}

export function renderDmList(): void {
  $('guild-name').textContent = 'Direct messages';
  $('guild-actions').replaceChildren();
  const dms = [...state.dms.values()].sort((a, b) =>
    (b.last_message_id ?? b.id) > (a.last_message_id ?? a.id) ? 1 : -1,
  );
  const items = dms.map((c) => {
    const other = (c.recipients ?? []).find((u) => u.id !== state.me?.id) ?? c.recipients?.[0];
    const active = c.id === state.channelId;
    const unread = !active && isUnread(c);
    return h(
      'li',
      { class: `channel dm${active ? ' active' : ''}${unread ? ' unread' : ''}`, 'data-id': c.id },
      button(
        [other ? avatar(other, 24) : '', h('span', { class: 'name' }, channelLabel(c))],
        () => callbacks.pickChannel(c.id),
        {
          class: 'channel-link',
          'aria-current': active ? 'page' : undefined,
        },
      ),
    );
  });
  if (items.length === 0) {
    items.push(h('li', { class: 'empty muted' }, 'No conversations yet. Click a member’s name to message them.'));
  }
  $('channels').replaceChildren(...items);
}

// ---- members -------------------------------------------------------------------------------------------------

export function renderMembers(): void {
  const g = currentGuild();
  const panel = $('members');
  $('app').classList.toggle('no-members', !g);
  $('members-btn').hidden = !g;
  if (!g) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const online: HTMLLIElement[] = [];
  const offline: HTMLLIElement[] = [];
  const members = [...g.memberMap.values()].sort((a, b) =>
    (a.nick || displayName(a.user)).localeCompare(b.nick || displayName(b.user)),
  );
  for (const m of members) {
    const status = state.presence.get(m.user.id) ?? 'offline';
    const name = h('span', { class: 'name' }, m.nick || displayName(m.user));
    const color = memberColor(g, m.user.id);
    if (color) name.style.color = hexColor(color);
    const li = h(
      'li',
      { class: status, 'data-user': m.user.id },
      button(
        [
          h('span', { class: 'avatar-wrap' }, avatar(m.user, 32), h('span', { class: 'dot', 'aria-label': status })),
          name,
          m.user.bot ? h('span', { class: 'bot-tag' }, 'BOT') : null,
        ],
        () => openProfile(m.user.id, g.id),
        { class: 'member' },
      ),
    );
    (status === 'offline' ? offline : online).push(li);
  }
  $('online').replaceChildren(...online);
  $('offline').replaceChildren(...offline);
  $('online-count').textContent = String(online.length);
  $('offline-count').textContent = String(offline.length);
}

// ---- header, composer state, typing --------------------------------------------------------------------------

let timeoutTimer: ReturnType<typeof setTimeout> | undefined;

export function renderHeader(): void {
  const c = findChannel(state.channelId);
  const dm = c?.type === 1 || c?.type === 3;
  const thread = isThread(c);
  const parent = thread ? findChannel(c?.parent_id ?? null) : undefined;
  $('channel-hash').textContent = c ? (dm ? '@' : '#') : '';
  $('channel-name').textContent = c ? channelLabel(c) : state.guildId ? '' : 'Direct messages';
  const topic = $('channel-topic');
  if (thread && parent) {
    topic.replaceChildren(
      'Thread in ',
      button(`#${parent.name ?? ''}`, () => callbacks.pickChannel(parent.id), { class: 'parent-link' }),
    );
  } else topic.textContent = c?.topic ?? '';
  $('threads-btn').hidden = !c || !(c.type === 0 || c.type === 5 || thread);
  const input = $<HTMLTextAreaElement>('input');
  const canSend = c ? (myPermissions(c) & P.SEND_MESSAGES) !== 0n : false;
  input.disabled = !canSend;
  $<HTMLButtonElement>('attach-btn').disabled = !canSend || !(myPermissions(c ?? { id: '', type: 0 }) & P.ATTACH_FILES);
  $<HTMLButtonElement>('send-btn').disabled = !canSend;
  const g = c?.guild_id ? state.guilds.get(c.guild_id) : undefined;
  const until = g ? timedOutUntil(g.memberMap.get(state.me?.id ?? '')) : null;
  clearTimeout(timeoutTimer);
  // The composer opens again when the timeout ends.
  if (until) timeoutTimer = setTimeout(renderHeader, Math.min(until.getTime() - Date.now() + 50, 2 ** 31 - 1));
  const label = c ? `${dm ? '@' : '#'}${channelLabel(c)}` : '';
  input.placeholder = !c
    ? 'Pick a channel'
    : canSend
      ? `Message ${label}`
      : until
        ? `You are timed out until ${shortTime(until)}.`
        : 'You do not have permission to send messages in this channel.';
  $('composer').classList.toggle('timed-out', !!until && !canSend);
  document.title = c ? `${label} — Concord` : 'Concord';
}

export function renderTyping(): void {
  const now = Date.now();
  const names: string[] = [];
  const typing = state.channelId ? state.typing.get(state.channelId) : undefined;
  const g = currentGuild();
  for (const [id, until] of typing ?? []) {
    if (until < now) typing!.delete(id);
    else names.push(g?.memberMap.get(id)?.nick || displayName(state.users.get(id) ?? { id, username: 'someone' }));
  }
  $('typing').textContent =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}
