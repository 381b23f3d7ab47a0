// What the page knows: the guilds (with roles, channels and members), DMs, users and presence, kept current by the
// gateway's events; plus which channel is open and what this browser has read (localStorage).
import { h } from './dom.js';
import type { MarkdownContext } from './markdown.js';
import { basePermissions, channelPermissions, has, P } from './permissions.js';
import type { Channel, Guild, Member, Message, Role, User } from './types.js';

export interface GuildState extends Guild {
  memberMap: Map<string, Member>;
}

export const state = {
  me: null as User | null,
  /** READY's session id: interactions name the session that invoked them. */
  sessionId: null as string | null,
  guilds: new Map<string, GuildState>(),
  /** Guild ids in the order the server list shows them. */
  guildOrder: [] as string[],
  dms: new Map<string, Channel>(),
  users: new Map<string, User>(),
  presence: new Map<string, string>(),
  /** The open guild; null is the direct-messages home. */
  guildId: null as string | null,
  channelId: null as string | null,
  /** channel id → (user id → typing until, ms). */
  typing: new Map<string, Map<string, number>>(),
};

/** Navigation and dialog functions lower modules call, wired once at startup by app.ts (avoids an import cycle). */
export const actions = {
  selectChannel: (_id: string): void => undefined,
  selectGuild: (_id: string | null): void => undefined,
  openDm: (_userId: string): void => undefined,
  openProfile: (_userId: string, _guildId: string | null): void => undefined,
  renderAll: (): void => undefined,
  showError: (_e: unknown): void => undefined,
  /** The Apps menu of a message (right-click) or a user: their context menu commands. */
  openAppsMenu: (_e: MouseEvent, _target: AppsTarget): void => undefined,
};

/** What a context menu command runs on: a message (type 3 commands) or a user (type 2). */
export type AppsTarget = { message: Message } | { user: User; channelId: string };

export function rememberUser(user: User | undefined): void {
  if (!user?.id) return;
  state.users.set(user.id, { ...state.users.get(user.id), ...user });
}

/** Adds or updates a DM channel (and remembers its recipients). */
export function addDm(c: Channel): void {
  for (const u of c.recipients ?? []) rememberUser(u);
  state.dms.set(c.id, { ...state.dms.get(c.id), ...c });
}

export function displayName(user: Pick<User, 'username' | 'global_name'>): string {
  return user.global_name || user.username;
}

export function memberName(guild: GuildState | undefined, userId: string): string | undefined {
  const member = guild?.memberMap.get(userId);
  const user = member?.user ?? state.users.get(userId);
  if (!user) return undefined;
  return member?.nick || displayName(user);
}

export function currentGuild(): GuildState | undefined {
  return state.guildId ? state.guilds.get(state.guildId) : undefined;
}

export function findChannel(id: string | null): Channel | undefined {
  if (!id) return undefined;
  const dm = state.dms.get(id);
  if (dm) return dm;
  for (const g of state.guilds.values()) {
    const c = g.channels.find((x) => x.id === id);
    if (c) return c;
  }
  return undefined;
}

export function guildOfChannel(id: string): GuildState | undefined {
  for (const g of state.guilds.values()) if (g.channels.some((c) => c.id === id)) return g;
  return undefined;
}

export function channelLabel(c: Channel): string {
  if (c.type === 1 || c.type === 3) {
    const others = (c.recipients ?? []).filter((u) => u.id !== state.me?.id);
    return others.map(displayName).join(', ') || c.name || 'Direct message';
  }
  return c.name ?? '';
}

export function isThread(c: Channel | undefined): boolean {
  return c !== undefined && (c.type === 10 || c.type === 11 || c.type === 12);
}

/** When a member's timeout ends, if they are timed out now. */
export function timedOutUntil(member: Member | undefined): Date | null {
  const until = member?.communication_disabled_until ? Date.parse(member.communication_disabled_until) : Number.NaN;
  return until > Date.now() ? new Date(until) : null;
}

/**
 * My permissions in a channel (all in DMs). A thread has its parent's, with SEND_MESSAGES_IN_THREADS for sending;
 * a timed-out member (not owner or administrator) may only view and read history, as Discord computes it.
 */
export function myPermissions(channel: Channel): bigint {
  const guild = channel.guild_id ? state.guilds.get(channel.guild_id) : guildOfChannel(channel.id);
  if (!guild || !state.me) return P.VIEW_CHANNEL | P.SEND_MESSAGES | P.ADD_REACTIONS | P.ATTACH_FILES;
  const member = guild.memberMap.get(state.me.id);
  const thread = isThread(channel);
  const parent = thread ? guild.channels.find((c) => c.id === channel.parent_id) : undefined;
  if (thread && !parent) return 0n;
  let perms = channelPermissions(guild, state.me.id, member, parent ?? channel);
  if (thread) perms = perms & P.SEND_MESSAGES_IN_THREADS ? perms | P.SEND_MESSAGES : perms & ~P.SEND_MESSAGES;
  if (timedOutUntil(member) && !(basePermissions(guild, state.me.id, member) & P.ADMINISTRATOR)) {
    perms &= P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY;
  }
  return perms;
}

/** Whether my guild-level permissions include `bit` (owner and administrators have all). */
export function canManage(guild: GuildState, bit: bigint): boolean {
  return state.me ? has(basePermissions(guild, state.me.id, guild.memberMap.get(state.me.id)), bit) : false;
}

export function canView(channel: Channel): boolean {
  return (myPermissions(channel) & P.VIEW_CHANNEL) !== 0n;
}

/** Roles sorted as Discord lists them: highest position first, @everyone last. */
export function sortedRoles(guild: Guild): Role[] {
  return [...guild.roles].sort((a, b) => b.position - a.position || (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** The colour of a member's highest coloured role (0 when none). */
export function memberColor(guild: GuildState | undefined, userId: string): number {
  const member = guild?.memberMap.get(userId);
  if (!guild || !member) return 0;
  for (const role of sortedRoles(guild)) if (role.color && member.roles.includes(role.id)) return role.color;
  return 0;
}

// ---- avatars -----------------------------------------------------------------------------------------------------

const DEFAULT_AVATAR_COLORS = ['#5865f2', '#757e8a', '#3ba55c', '#faa61a', '#ed4245', '#eb459f'];

/** The user's avatar from the CDN, or Discord's default one for the id ((id >> 22) % 6) drawn locally. */
export function avatar(user: User, size = 40): HTMLElement {
  if (user.avatar && /^(a_)?[0-9a-f]{32}$/.test(user.avatar)) {
    return h('img', {
      class: 'avatar',
      src: `/cdn/avatars/${user.id}/${user.avatar}.png`,
      alt: '',
      width: String(size),
      height: String(size),
    });
  }
  let index = 0;
  try {
    index = Number((BigInt(user.id) >> 22n) % 6n);
  } catch {}
  const el = h('span', {
    class: 'avatar default',
    'aria-hidden': 'true',
    'data-initial': Array.from(displayName(user))[0]?.toUpperCase() ?? '?',
  });
  el.style.backgroundColor = DEFAULT_AVATAR_COLORS[index]!;
  el.style.width = el.style.height = `${size}px`;
  return el;
}

// ---- read state (this browser) ---------------------------------------------------------------------------------

const readKey = (channelId: string) => `concord.read.${state.me?.id ?? ''}.${channelId}`;

export function lastRead(channelId: string): string | null {
  return localStorage.getItem(readKey(channelId));
}

export function markRead(channelId: string, messageId: string | null | undefined): void {
  if (!messageId) return;
  const prev = lastRead(channelId);
  if (!prev || snowflakeAfter(messageId, prev)) localStorage.setItem(readKey(channelId), messageId);
}

export function snowflakeAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

export function isUnread(c: Channel): boolean {
  if (!c.last_message_id) return false;
  const read = lastRead(c.id);
  return !read || snowflakeAfter(c.last_message_id, read);
}

// ---- markdown context ------------------------------------------------------------------------------------------

export function markdownContext(guildId: string | undefined, mentions: User[] = []): MarkdownContext {
  const guild = guildId ? state.guilds.get(guildId) : undefined;
  return {
    userName: (id) => {
      const fromMessage = mentions.find((u) => u.id === id);
      return memberName(guild, id) ?? (fromMessage ? displayName(fromMessage) : undefined);
    },
    role: (id) => guild?.roles.find((r) => r.id === id),
    channelName: (id) => findChannel(id)?.name ?? undefined,
    openChannel: (id) => {
      const c = findChannel(id);
      if (c && canView(c)) actions.selectChannel(id);
    },
    isMe: (id) => id === state.me?.id,
  };
}
