// Discord's permission bits and how a client computes a member's permissions in a channel
// (https://discord.com/developers/docs/topics/permissions#permission-overwrites).
import type { Channel, Guild, Member } from './types.js';

export const P = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
  MODERATE_MEMBERS: 1n << 40n,
} as const;

/** The permissions the role editor offers, in Discord's order and words. */
export const COMMON_PERMISSIONS: [keyof typeof P, string][] = [
  ['VIEW_CHANNEL', 'View channels'],
  ['MANAGE_CHANNELS', 'Manage channels'],
  ['MANAGE_ROLES', 'Manage roles'],
  ['MANAGE_GUILD', 'Manage server'],
  ['CREATE_INSTANT_INVITE', 'Create invite'],
  ['CHANGE_NICKNAME', 'Change nickname'],
  ['MANAGE_NICKNAMES', 'Manage nicknames'],
  ['KICK_MEMBERS', 'Kick members'],
  ['BAN_MEMBERS', 'Ban members'],
  ['SEND_MESSAGES', 'Send messages'],
  ['EMBED_LINKS', 'Embed links'],
  ['ATTACH_FILES', 'Attach files'],
  ['ADD_REACTIONS', 'Add reactions'],
  ['MENTION_EVERYONE', 'Mention @everyone'],
  ['MODERATE_MEMBERS', 'Timeout members'],
  ['CREATE_PUBLIC_THREADS', 'Create threads'],
  ['SEND_MESSAGES_IN_THREADS', 'Send messages in threads'],
  ['MANAGE_THREADS', 'Manage threads'],
  ['MANAGE_MESSAGES', 'Manage messages'],
  ['READ_MESSAGE_HISTORY', 'Read message history'],
  ['ADMINISTRATOR', 'Administrator'],
];

const ALL = (1n << 53n) - 1n;

/** Guild-level permissions of a member (owner and administrators have all). */
export function basePermissions(guild: Guild, userId: string, member: Member | undefined): bigint {
  if (guild.owner_id === userId) return ALL;
  let perms = BigInt(guild.roles.find((r) => r.id === guild.id)?.permissions ?? '0');
  for (const id of member?.roles ?? []) {
    const role = guild.roles.find((r) => r.id === id);
    if (role) perms |= BigInt(role.permissions);
  }
  return perms & P.ADMINISTRATOR ? ALL : perms;
}

/** A member's permissions in a channel: base, then the @everyone, role and member overwrites in that order. */
export function channelPermissions(guild: Guild, userId: string, member: Member | undefined, channel: Channel): bigint {
  let perms = basePermissions(guild, userId, member);
  if (perms === ALL) return ALL;
  const overwrites = channel.permission_overwrites ?? [];
  const everyone = overwrites.find((o) => o.id === guild.id);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guild.id && member?.roles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) perms = (perms & ~BigInt(own.deny)) | BigInt(own.allow);
  return perms & P.VIEW_CHANNEL ? perms : 0n;
}

export const has = (perms: bigint, bit: bigint): boolean => (perms & bit) === bit;
