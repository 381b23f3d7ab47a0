import type { APIGuildMember } from 'discord-api-types/v10';
import type { GuildMemberData } from '../types.js';
import { discordTimestamp, discordTimestampOrNull } from './discordTimestamp.js';
import { afterExtras, bool, extras, num, strOrNull } from './fields.js';
import { memoizeByIdentity } from './memoizeByIdentity.js';
import { serializeUser } from './serializeUser.js';

const FIELDS = new Set([
  'user',
  'nick',
  'avatar',
  'banner',
  'roles',
  'joined_at',
  'premium_since',
  'deaf',
  'mute',
  'flags',
  'pending',
  'communication_disabled_until',
  'avatar_decoration_data',
  'collectibles',
  // Gateway-only extras a directory may keep on its members; never part of the member object.
  'guild_id',
  'presence',
]);

/** A member without its user: what MESSAGE_CREATE.member and TYPING_START-style embeds carry. */
export type MemberWithoutUser = Omit<APIGuildMember, 'user'>;

/**
 * Discord's guild member object without `user` (MESSAGE_CREATE/UPDATE `member`). `flags` is required (discord.py
 * reads it unconditionally); `nick`, `avatar`, `banner`, `premium_since`, `pending`, `communication_disabled_until`
 * are optional in discord-api-types but Discord always sends them, so they are always sent (null / false).
 */
export function serializeMemberWithoutUser(member: GuildMemberData): MemberWithoutUser {
  return afterExtras(extras(member, FIELDS), {
    nick: member.nick ?? null,
    avatar: strOrNull(member.avatar),
    banner: strOrNull(member.banner),
    roles: Array.isArray(member.roles) ? member.roles : [],
    joined_at: discordTimestamp(member.joined_at),
    premium_since: discordTimestampOrNull(member.premium_since as string | null | undefined),
    deaf: bool(member.deaf, false),
    mute: bool(member.mute, false),
    flags: num(member.flags, 0),
    pending: bool(member.pending, false),
    communication_disabled_until: discordTimestampOrNull(
      member.communication_disabled_until as string | null | undefined,
    ),
    avatar_decoration_data: (member.avatar_decoration_data as APIGuildMember['avatar_decoration_data']) ?? null,
    collectibles: (member.collectibles as APIGuildMember['collectibles']) ?? null,
  });
}

/**
 * Discord's guild member object (GUILD_CREATE members, GUILD_MEMBER_ADD, chunks, REST members), not remembered: for a
 * member only one session gets, such as the session's own member in a large guild's GUILD_CREATE (see
 * serializeGuildCreate.ts). The same fields as {@link serializeMemberWithoutUser} and `user` last, in one literal (an
 * object extended with `user` afterwards keeps it in a separate property array).
 */
export function serializeMemberOnce(member: GuildMemberData): APIGuildMember {
  return afterExtras(extras(member, FIELDS), {
    nick: member.nick ?? null,
    avatar: strOrNull(member.avatar),
    banner: strOrNull(member.banner),
    roles: Array.isArray(member.roles) ? member.roles : [],
    joined_at: discordTimestamp(member.joined_at),
    premium_since: discordTimestampOrNull(member.premium_since as string | null | undefined),
    deaf: bool(member.deaf, false),
    mute: bool(member.mute, false),
    flags: num(member.flags, 0),
    pending: bool(member.pending, false),
    communication_disabled_until: discordTimestampOrNull(
      member.communication_disabled_until as string | null | undefined,
    ),
    avatar_decoration_data: (member.avatar_decoration_data as APIGuildMember['avatar_decoration_data']) ?? null,
    collectibles: (member.collectibles as APIGuildMember['collectibles']) ?? null,
    user: serializeUser(member.user),
  });
}

/**
 * `serializeMemberOnce` memoized per input object (see memoizeByIdentity.ts): one serialized copy shared by
 * every session that gets the member (a small guild's GUILD_CREATE, chunks, events).
 */
export const serializeMember = memoizeByIdentity(serializeMemberOnce);
