// The state of one guild in one plain shape, built twice: from the server's REST answers and from a discord.js
// client's cache. Entities are keyed by id, so a difference (diffShapes.ts) names the entity and the field.

import type { Client, Guild, GuildBasedChannel, Message, PermissionOverwrites } from 'discord.js';
import type {
  APIBan,
  APIEmoji,
  APIGuild,
  APIGuildChannel,
  APIGuildMember,
  APIMessage,
  APIRole,
  APIThreadChannel,
  ChannelType,
} from 'discord-api-types/v10';

export interface RoleShape {
  name: string;
  permissions: string;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  managed: boolean;
}

export interface ChannelShape {
  type: number;
  name: string;
  position: number;
  parent_id: string | null;
  overwrites: Record<string, { type: number; allow: string; deny: string }>;
  topic: string | null;
  nsfw: boolean;
  last_message_id: string | null;
  rate_limit_per_user: number;
  /** Text channels: the newest pin's time (ms), as CHANNEL_PINS_UPDATE keeps it. */
  last_pin: number | null;
  /** Voice channels. */
  bitrate: number | null;
  user_limit: number | null;
}

export interface ThreadShape {
  type: number;
  name: string;
  parent_id: string | null;
  owner_id: string | null;
  archived: boolean;
  locked: boolean;
  last_message_id: string | null;
  message_count: number | null;
}

export interface MessageShape {
  channel_id: string;
  content: string;
  author_id: string;
  /** By emoji (its id, or the unicode character): count, and whether the viewer (the bot) reacted. */
  reactions: Record<string, { count: number; me: boolean }>;
}

export interface GuildFields {
  name: string;
  owner_id: string;
  icon: string | null;
  description: string | null;
  verification_level: number;
  default_message_notifications: number;
  explicit_content_filter: number;
  mfa_level: number;
  nsfw_level: number;
  system_channel_id: string | null;
  afk_channel_id: string | null;
  afk_timeout: number;
  preferred_locale: string;
}

export interface GuildShape {
  guild: GuildFields;
  roles: Record<string, RoleShape>;
  channels: Record<string, ChannelShape>;
  threads: Record<string, ThreadShape>;
  members: Record<string, { nick: string | null; roles: string[] }>;
  emojis: Record<string, { name: string | null; animated: boolean; roles: string[]; available: boolean }>;
  bans: string[];
  messages: Record<string, MessageShape>;
}

const byId = <T, S>(items: Iterable<T>, id: (item: T) => string, shape: (item: T) => S): Record<string, S> =>
  Object.fromEntries([...items].map((item) => [id(item), shape(item)] as const).sort(([a], [b]) => a.localeCompare(b)));

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

const isThreadType = (type: ChannelType | number): boolean => type === 10 || type === 11 || type === 12;

/** What the server answers, read through its REST API. */
export interface RestState {
  guild: APIGuild;
  roles: APIRole[];
  channels: APIGuildChannel[];
  threads: APIThreadChannel[];
  members: APIGuildMember[];
  emojis: APIEmoji[];
  bans: APIBan[];
  /** Read by the bot's own token (so `me` of a reaction is the bot's). */
  messages: APIMessage[];
}

export function restShape(s: RestState): GuildShape {
  return {
    guild: {
      name: s.guild.name,
      owner_id: s.guild.owner_id,
      icon: s.guild.icon,
      description: s.guild.description,
      verification_level: s.guild.verification_level,
      default_message_notifications: s.guild.default_message_notifications,
      explicit_content_filter: s.guild.explicit_content_filter,
      mfa_level: s.guild.mfa_level,
      nsfw_level: s.guild.nsfw_level,
      system_channel_id: s.guild.system_channel_id,
      afk_channel_id: s.guild.afk_channel_id,
      afk_timeout: s.guild.afk_timeout,
      preferred_locale: s.guild.preferred_locale,
    },
    roles: byId(s.roles, (r) => r.id, restRole),
    channels: byId(
      s.channels.filter((c) => !isThreadType(c.type)),
      (c) => c.id,
      (c) => {
        const any = c as APIGuildChannel & Record<string, unknown>;
        return {
          type: c.type,
          name: c.name,
          position: any.position as number,
          parent_id: c.parent_id ?? null,
          overwrites: byId(
            c.permission_overwrites ?? [],
            (o) => o.id,
            (o) => ({ type: o.type, allow: o.allow, deny: o.deny }),
          ),
          topic: (any.topic as string | null | undefined) ?? null,
          nsfw: c.nsfw ?? false,
          last_message_id: (any.last_message_id as string | null | undefined) ?? null,
          rate_limit_per_user: (any.rate_limit_per_user as number | undefined) ?? 0,
          last_pin: typeof any.last_pin_timestamp === 'string' ? Date.parse(any.last_pin_timestamp) : null,
          bitrate: (any.bitrate as number | undefined) ?? null,
          user_limit: (any.user_limit as number | undefined) ?? null,
        };
      },
    ),
    threads: byId(
      s.threads,
      (t) => t.id,
      (t) => ({
        type: t.type,
        name: t.name,
        parent_id: t.parent_id ?? null,
        owner_id: t.owner_id ?? null,
        archived: t.thread_metadata?.archived ?? false,
        locked: t.thread_metadata?.locked ?? false,
        last_message_id: t.last_message_id ?? null,
        message_count: t.message_count ?? null,
      }),
    ),
    members: byId(
      s.members,
      (m) => m.user.id,
      (m) => ({ nick: m.nick ?? null, roles: sorted(m.roles) }),
    ),
    emojis: byId(
      s.emojis,
      (e) => e.id ?? '',
      (e) => ({
        name: e.name,
        animated: e.animated ?? false,
        roles: sorted(e.roles ?? []),
        available: e.available ?? true,
      }),
    ),
    bans: sorted(s.bans.map((b) => b.user.id)),
    messages: byId(
      s.messages,
      (m) => m.id,
      (m) => ({
        channel_id: m.channel_id,
        content: m.content,
        author_id: m.author.id,
        reactions: byId(
          m.reactions ?? [],
          (r) => r.emoji.id ?? r.emoji.name ?? '',
          (r) => ({ count: r.count, me: r.me }),
        ),
      }),
    ),
  };
}

function restRole(r: APIRole): RoleShape {
  return {
    name: r.name,
    permissions: r.permissions,
    position: r.position,
    color: r.color,
    hoist: r.hoist,
    mentionable: r.mentionable,
    managed: r.managed,
  };
}

/** discord.js keeps the raw role ids of members and emoji here; its public `roles` drops ids it has no role for. */
const rawRoles = (holder: unknown): string[] => sorted((holder as { _roles: string[] })._roles);

function overwritesOf(c: GuildBasedChannel): Record<string, { type: number; allow: string; deny: string }> {
  if (!('permissionOverwrites' in c) || c.isThread()) return {};
  return byId(
    c.permissionOverwrites.cache.values(),
    (o: PermissionOverwrites) => o.id,
    (o: PermissionOverwrites) => ({
      type: o.type,
      allow: o.allow.bitfield.toString(),
      deny: o.deny.bitfield.toString(),
    }),
  );
}

/** The same state from the bot's cache; `messageIds` are the messages to look up in their channels' caches. */
export function botShape(client: Client, guildId: string, messageIds: Iterable<string>): GuildShape | null {
  const guild: Guild | undefined = client.guilds.cache.get(guildId);
  if (!guild?.available) return null;
  const all = [...guild.channels.cache.values()];
  const messages: Message[] = [];
  for (const id of messageIds) {
    for (const c of all) {
      const found = c.isTextBased() ? c.messages.cache.get(id) : undefined;
      if (found) messages.push(found);
    }
  }
  return {
    guild: {
      name: guild.name,
      owner_id: guild.ownerId,
      icon: guild.icon,
      description: guild.description,
      verification_level: guild.verificationLevel,
      default_message_notifications: guild.defaultMessageNotifications,
      explicit_content_filter: guild.explicitContentFilter,
      mfa_level: guild.mfaLevel,
      nsfw_level: guild.nsfwLevel,
      system_channel_id: guild.systemChannelId,
      afk_channel_id: guild.afkChannelId,
      afk_timeout: guild.afkTimeout,
      preferred_locale: guild.preferredLocale,
    },
    roles: byId(
      guild.roles.cache.values(),
      (r) => r.id,
      (r) => ({
        name: r.name,
        permissions: r.permissions.bitfield.toString(),
        position: r.rawPosition,
        color: r.color,
        hoist: r.hoist,
        mentionable: r.mentionable,
        managed: r.managed,
      }),
    ),
    channels: byId(
      all.filter((c) => !c.isThread()),
      (c) => c.id,
      (c) => {
        const fields = c as unknown as Record<string, unknown>;
        return {
          type: c.type,
          name: c.name,
          position: 'rawPosition' in c ? c.rawPosition : -1,
          parent_id: c.parentId ?? null,
          overwrites: overwritesOf(c),
          topic: (fields.topic as string | null | undefined) ?? null,
          nsfw: (fields.nsfw as boolean | undefined) ?? false,
          last_message_id: (fields.lastMessageId as string | null | undefined) ?? null,
          rate_limit_per_user: (fields.rateLimitPerUser as number | undefined) ?? 0,
          last_pin: (fields.lastPinTimestamp as number | null | undefined) ?? null,
          bitrate: (fields.bitrate as number | undefined) ?? null,
          user_limit: (fields.userLimit as number | undefined) ?? null,
        };
      },
    ),
    threads: byId(
      all.filter((c) => c.isThread()),
      (t) => t.id,
      (t) => ({
        type: t.type,
        name: t.name,
        parent_id: t.parentId ?? null,
        owner_id: t.ownerId ?? null,
        archived: t.archived ?? false,
        locked: t.locked ?? false,
        last_message_id: t.lastMessageId ?? null,
        message_count: t.messageCount ?? null,
      }),
    ),
    members: byId(
      guild.members.cache.values(),
      (m) => m.id,
      (m) => ({ nick: m.nickname, roles: rawRoles(m) }),
    ),
    emojis: byId(
      guild.emojis.cache.values(),
      (e) => e.id,
      (e) => ({ name: e.name, animated: e.animated ?? false, roles: rawRoles(e), available: e.available ?? true }),
    ),
    bans: sorted(guild.bans.cache.keys()),
    messages: byId(
      messages,
      (m) => m.id,
      (m) => ({
        channel_id: m.channelId,
        content: m.content,
        author_id: m.author.id,
        reactions: byId(
          m.reactions.cache.values(),
          (r) => r.emoji.id ?? r.emoji.name ?? '',
          (r) => ({ count: r.count, me: r.me }),
        ),
      }),
    ),
  };
}
