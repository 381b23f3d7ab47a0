// Navigation: which server and channel are open, how one is picked (the user's pick, the last one opened there, else
// the first the list shows), opening a DM, accepting an invite from the address, and renderAll, which redraws the
// panels around the messages after any of these.
import { api } from './api.js';
import { $, h, showError } from './dom.js';
import { cancelReply, clearMessages, list, loadOlder } from './messages.js';
import { pending } from './settings.js';
import { byPosition, renderChannels, renderGuilds, renderHeader, renderMembers } from './sidebar.js';
import { addDm, canView, findChannel, state } from './state.js';
import type { Channel } from './types.js';

export const INVITE_HASH = /^#\/invite\/([A-Za-z0-9-]{1,32})$/;

/** Whether what is open was picked by the page (at startup), not by the user. */
let autoSelected = true;
const lastChannelOf = new Map<string, string>();

export function isAutoSelected(): boolean {
  return autoSelected;
}

export function renderAll(): void {
  // A channel I can no longer see is left.
  const c = findChannel(state.channelId);
  if (state.channelId && (!c || !canView(c))) {
    state.channelId = null;
    pickChannel();
    return;
  }
  renderGuilds();
  renderChannels();
  renderMembers();
  renderHeader();
}

// ---- navigation --------------------------------------------------------------------------------------------

export function userSelect(go: () => void): void {
  autoSelected = false;
  go();
}

export function closeDrawer(): void {
  $('app').classList.remove('drawer-open', 'members-open');
}

export function selectChannel(id: string): void {
  const c = findChannel(id);
  if (!c) return;
  const guildId = c.guild_id ?? null;
  state.guildId = c.type === 1 || c.type === 3 ? null : guildId;
  if (state.guildId) lastChannelOf.set(state.guildId, id);
  else lastChannelOf.set('@me', id);
  localStorage.setItem('concord.lastGuild', state.guildId ?? '@me');
  const changed = state.channelId !== id;
  state.channelId = id;
  closeDrawer();
  if (changed) {
    cancelReply();
    clearMessages();
    renderAll();
    void loadOlder();
  } else renderAll();
  if (matchMedia('(min-width: 769px)').matches) $('input').focus();
}

/** Opens the guild's last channel, else its first visible text channel; for DMs the last or first DM. */
export function pickChannel(): void {
  const key = state.guildId ?? '@me';
  const last = lastChannelOf.get(key);
  const lastC = last ? findChannel(last) : undefined;
  if (lastC && canView(lastC)) {
    selectChannel(lastC.id);
    return;
  }
  let first: Channel | undefined;
  if (state.guildId) {
    const g = state.guilds.get(state.guildId);
    const text = (g?.channels ?? []).filter((c) => (c.type === 0 || c.type === 5) && canView(c));
    const cats = new Map((g?.channels ?? []).filter((c) => c.type === 4).map((c) => [c.id, c.position ?? 0]));
    // Uncategorized first, then by category position, then by position: the order the list shows.
    text.sort((a, b) => {
      const ca = a.parent_id && cats.has(a.parent_id) ? cats.get(a.parent_id)! + 1 : 0;
      const cb = b.parent_id && cats.has(b.parent_id) ? cats.get(b.parent_id)! + 1 : 0;
      return ca - cb || byPosition(a, b);
    });
    first = text[0];
  } else {
    first = [...state.dms.values()][0];
  }
  if (first) {
    selectChannel(first.id);
    return;
  }
  state.channelId = null;
  clearMessages();
  if (state.guildId === null) list().append(h('li', { class: 'start' }, 'No direct messages yet.'));
  renderAll();
}

export function selectGuild(id: string | null): void {
  if (id !== null && !state.guilds.has(id)) return;
  if (state.guildId === id && state.channelId) {
    renderAll();
    return;
  }
  state.guildId = id;
  state.channelId = null;
  cancelReply();
  pickChannel();
}

export async function openDm(userId: string): Promise<void> {
  try {
    const c = await api<Channel>('POST', '/users/@me/channels', { recipient_id: userId });
    addDm(c);
    autoSelected = false;
    selectChannel(c.id);
  } catch (e) {
    showError(e);
  }
}

// ---- invites ---------------------------------------------------------------------------------------------------

export async function acceptInviteFromHash(): Promise<void> {
  const match = INVITE_HASH.exec(location.hash);
  if (!match || !state.me) return;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    const invite = await api<{ guild?: { id: string }; channel?: { id: string } }>('POST', `/invites/${match[1]}`);
    const guildId = invite.guild?.id;
    if (!guildId) return;
    if (invite.channel?.id) lastChannelOf.set(guildId, invite.channel.id);
    autoSelected = false;
    if (state.guilds.has(guildId)) selectGuild(guildId);
    else pending.guildToSelect = guildId;
  } catch (e) {
    showError(e);
  }
}
