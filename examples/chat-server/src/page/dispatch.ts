// The gateway's events, applied to the page's state: READY and GUILD_CREATE load what the page shows (and open the
// server picked last time), the other events keep guilds, channels, members, presence, messages, reactions and
// typing current and redraw what they touch; the interaction events go to interactions.ts, a modal to modal.ts.
import { api } from './api.js';
import { $, showError } from './dom.js';
import { interactionEvent } from './interactions.js';
import { addMessage, reactionChanged, removeMessage, rerenderMessages, rerenderOne } from './messages.js';
import { openModal } from './modal.js';
import { acceptInviteFromHash, isAutoSelected, pickChannel, renderAll, selectGuild } from './navigation.js';
import { pending, refreshSettings, upsertChannel, upsertRole } from './settings.js';
import { renderChannels, renderGuilds, renderMembers, renderTyping } from './sidebar.js';
import { addDm, avatar, displayName, findChannel, type GuildState, rememberUser, state } from './state.js';
import type { Channel, Guild, Member, Message } from './types.js';

/** The server (or '@me') open when the page was last used here. */
const savedGuild = localStorage.getItem('concord.lastGuild');

export function loadGuild(d: Guild & { members?: Member[] }): void {
  const g: GuildState = {
    ...d,
    roles: d.roles ?? [],
    // Threads live with the channels (a thread opens as a channel view).
    channels: [...(d.channels ?? []), ...(d.threads ?? [])].map((c) => ({ ...c, guild_id: d.id })),
    memberMap: new Map(),
  };
  for (const m of d.members ?? []) {
    g.memberMap.set(m.user.id, m);
    rememberUser(m.user);
  }
  for (const p of d.presences ?? []) state.presence.set(p.user.id, p.status);
  state.guilds.set(d.id, g);
  if (!state.guildOrder.includes(d.id)) state.guildOrder.push(d.id);
  // GUILD_CREATE carries only some members in big guilds; the full list comes from REST.
  api<Member[]>('GET', `/guilds/${d.id}/members?limit=1000`)
    .then((members) => {
      for (const m of members) {
        g.memberMap.set(m.user.id, m);
        rememberUser(m.user);
      }
      if (state.guildId === d.id) renderAll();
    })
    .catch(() => undefined);
}

/** A server this page is no longer in (left, kicked, banned, deleted). */
function dropGuild(id: string): void {
  if (!state.guilds.has(id)) return;
  state.guilds.delete(id);
  state.guildOrder = state.guildOrder.filter((g) => g !== id);
  if (state.guildId === id) selectGuild(state.guildOrder[0] ?? null);
  else renderAll();
}

// biome-ignore lint/suspicious/noExplicitAny: dispatch payloads are read field by field, as the server sends them.
export function onDispatch(t: string, d: any): void {
  if (interactionEvent(t, d)) return;
  switch (t) {
    case 'INTERACTION_MODAL_CREATE':
      openModal(d);
      break;
    case 'READY':
      state.me = d.user;
      state.sessionId = d.session_id ?? null;
      rememberUser(d.user);
      state.presence.set(d.user.id, 'online');
      $('me-name').textContent = displayName(d.user);
      $('me-avatar').replaceChildren(avatar(d.user, 32));
      for (const c of d.private_channels ?? []) addDm(c);
      api<Channel[]>('GET', '/users/@me/channels')
        .then((dms) => {
          for (const c of dms) addDm(c);
          if (state.guildId === null) renderAll();
        })
        .catch(showError);
      // A READY with no guilds gets no GUILD_CREATE: show the DMs home (and wait for invites).
      setTimeout(() => {
        if (!state.channelId && state.guildId === null && state.guilds.size === 0) {
          if (!savedGuild || savedGuild === '@me') pickChannel();
          else renderAll();
        }
      }, 300);
      void acceptInviteFromHash();
      break;
    case 'GUILD_CREATE': {
      if (d.unavailable) break;
      loadGuild(d);
      if (pending.guildToSelect === d.id) {
        pending.guildToSelect = null;
        selectGuild(d.id);
      } else if (isAutoSelected() && (savedGuild === d.id || (!state.channelId && savedGuild !== '@me'))) {
        // Until the user picks something, open the server they had open last (else the first to arrive).
        selectGuild(d.id);
      } else renderAll();
      break;
    }
    case 'GUILD_UPDATE': {
      const g = state.guilds.get(d.id);
      if (g) Object.assign(g, { name: d.name, owner_id: d.owner_id, icon: d.icon, roles: d.roles ?? g.roles });
      renderAll();
      break;
    }
    case 'GUILD_DELETE':
      dropGuild(d.id);
      break;
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE': {
      const g = state.guilds.get(d.guild_id);
      if (g) upsertRole(g, d.role);
      renderAll();
      if (d.guild_id === state.guildId) rerenderMessages();
      break;
    }
    case 'GUILD_ROLE_DELETE': {
      const g = state.guilds.get(d.guild_id);
      if (g) {
        g.roles = g.roles.filter((r) => r.id !== d.role_id);
        for (const m of g.memberMap.values()) m.roles = m.roles.filter((r) => r !== d.role_id);
      }
      renderAll();
      break;
    }
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE': {
      const g = state.guilds.get(d.guild_id);
      rememberUser(d.user);
      if (g) g.memberMap.set(d.user.id, { ...g.memberMap.get(d.user.id), ...d, roles: d.roles ?? [] });
      renderAll();
      if (t === 'GUILD_MEMBER_UPDATE' && d.guild_id === state.guildId) rerenderMessages();
      refreshSettings(d.guild_id, ['members']);
      break;
    }
    case 'GUILD_MEMBER_REMOVE':
    case 'GUILD_BAN_ADD': {
      // Kicked or banned myself: the server is gone from this page (GUILD_DELETE follows too).
      if (d.user.id === state.me?.id) {
        dropGuild(d.guild_id);
        break;
      }
      state.guilds.get(d.guild_id)?.memberMap.delete(d.user.id);
      renderAll();
      refreshSettings(d.guild_id, t === 'GUILD_BAN_ADD' ? ['members', 'bans'] : ['members']);
      break;
    }
    case 'GUILD_BAN_REMOVE':
      refreshSettings(d.guild_id, ['bans']);
      break;
    case 'THREAD_CREATE':
    case 'THREAD_UPDATE': {
      const g = state.guilds.get(d.guild_id);
      if (g) upsertChannel(g, d);
      renderAll();
      // The message that started it shows the thread's link.
      rerenderOne(d.id);
      break;
    }
    case 'THREAD_DELETE': {
      const g = state.guilds.get(d.guild_id);
      if (g) g.channels = g.channels.filter((c) => c.id !== d.id);
      renderAll();
      rerenderOne(d.id);
      break;
    }
    case 'THREAD_LIST_SYNC': {
      const g = state.guilds.get(d.guild_id);
      for (const thread of d.threads ?? []) if (g) upsertChannel(g, thread);
      renderAll();
      break;
    }
    case 'PRESENCE_UPDATE':
      state.presence.set(d.user.id, d.status === 'invisible' ? 'offline' : d.status);
      if (d.user.username) rememberUser(d.user);
      renderMembers();
      break;
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE': {
      if (d.type === 1 || d.type === 3) {
        addDm(d);
      } else {
        const g = state.guilds.get(d.guild_id);
        if (g) upsertChannel(g, d);
      }
      renderAll();
      break;
    }
    case 'CHANNEL_DELETE': {
      const g = state.guilds.get(d.guild_id);
      if (g) g.channels = g.channels.filter((c) => c.id !== d.id);
      state.dms.delete(d.id);
      renderAll();
      break;
    }
    case 'MESSAGE_CREATE': {
      const m = d as Message;
      rememberUser(m.author);
      let c = findChannel(m.channel_id);
      if (!c && !m.guild_id) {
        // A DM I had not seen yet.
        api<Channel>('GET', `/channels/${m.channel_id}`)
          .then((ch) => {
            addDm({ ...ch, last_message_id: m.id });
            renderAll();
          })
          .catch(() => undefined);
      }
      c = findChannel(m.channel_id);
      if (c) c.last_message_id = m.id;
      state.typing.get(m.channel_id)?.delete(m.author.id);
      addMessage(m);
      renderTyping();
      renderGuilds();
      renderChannels();
      break;
    }
    case 'MESSAGE_UPDATE':
      addMessage(d, true);
      break;
    case 'MESSAGE_DELETE':
      removeMessage(d.id);
      break;
    case 'MESSAGE_DELETE_BULK':
      for (const id of d.ids) removeMessage(id);
      break;
    case 'MESSAGE_REACTION_ADD':
      reactionChanged(d.message_id, d.emoji, d.user_id, 1);
      break;
    case 'MESSAGE_REACTION_REMOVE':
      reactionChanged(d.message_id, d.emoji, d.user_id, -1);
      break;
    case 'MESSAGE_REACTION_REMOVE_EMOJI':
      reactionChanged(d.message_id, d.emoji, null, 0);
      break;
    case 'MESSAGE_REACTION_REMOVE_ALL':
      reactionChanged(d.message_id, null, null, 0);
      break;
    case 'TYPING_START':
      if (d.user_id !== state.me?.id) {
        if (d.member?.user) rememberUser(d.member.user);
        const m = state.typing.get(d.channel_id) ?? new Map<string, number>();
        state.typing.set(d.channel_id, m);
        m.set(d.user_id, Date.now() + 10_000);
        renderTyping();
      }
      break;
  }
}
