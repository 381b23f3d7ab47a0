import type { ChannelData, GuildMemberData, GuildSnapshot, RoleData } from './types.js';

/** The permission bits the gateway itself checks (Discord's values). */
export const Permission = {
  Administrator: 1n << 3n,
  ViewChannel: 1n << 10n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
} as const;

interface Overwrite {
  id: string;
  type: number;
  allow: string;
  deny: string;
}

/** A permission string as Discord sends it; anything else counts as no permission. */
function bits(value: unknown): bigint {
  if (typeof value === 'string' && /^\d{1,30}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return 0n;
}

/**
 * A member's permission bit set in a channel, by Discord's rules: the owner and ADMINISTRATOR have everything; else
 * @everyone and the member's roles, then the channel's overwrites (@everyone, roles, the member). Without VIEW_CHANNEL
 * a member has no permission in the channel at all.
 */
export function computeChannelPermissions(
  guild: Pick<GuildSnapshot, 'id' | 'owner_id' | 'roles'>,
  member: Pick<GuildMemberData, 'user' | 'roles'>,
  channel: ChannelData,
): bigint {
  if (guild.owner_id === member.user.id) return ~0n;
  const roles = new Map<string, RoleData>(guild.roles.map((r) => [r.id, r]));
  let perms = bits(roles.get(guild.id)?.permissions);
  for (const roleId of member.roles) perms |= bits(roles.get(roleId)?.permissions);
  if ((perms & Permission.Administrator) !== 0n) return ~0n;
  const overwrites = Array.isArray(channel.permission_overwrites) ? (channel.permission_overwrites as Overwrite[]) : [];
  const everyone = overwrites.find((o) => o.id === guild.id);
  if (everyone) perms = (perms & ~bits(everyone.deny)) | bits(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guild.id && member.roles.includes(o.id)) {
      allow |= bits(o.allow);
      deny |= bits(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === member.user.id);
  if (own) perms = (perms & ~bits(own.deny)) | bits(own.allow);
  if ((perms & Permission.ViewChannel) === 0n) return 0n;
  return perms;
}

/**
 * A channel of the guild by id: its own channels, else a thread (`threads` of the snapshot), which is seen through its
 * parent. Null when the guild has no such channel.
 */
export function findGuildChannel(
  guild: Pick<GuildSnapshot, 'channels'> & { threads?: unknown },
  channelId: string,
): { channel: ChannelData; permissionsFrom: ChannelData } | null {
  const channel = guild.channels.find((c) => c.id === channelId);
  if (channel) return { channel, permissionsFrom: channel };
  const threads = Array.isArray(guild.threads) ? (guild.threads as ChannelData[]) : [];
  const thread = threads.find((t) => t?.id === channelId);
  if (!thread || typeof thread.parent_id !== 'string') return null;
  const parent = guild.channels.find((c) => c.id === thread.parent_id);
  return parent ? { channel: thread, permissionsFrom: parent } : null;
}
