import type { ChannelData, GuildMemberData, GuildSnapshot } from './types.js';
import {
  computePermissions,
  type PermissionChannel,
  type PermissionGuild,
  type PermissionOverwrite,
} from './wire/protocol.js';

/** The permission bits the gateway itself checks (Discord's values). */
export const Permission = {
  Administrator: 1n << 3n,
  /** Go Live (op 18). */
  Stream: 1n << 9n,
  ViewChannel: 1n << 10n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
} as const;

/** A permission string as Discord sends it; anything else counts as no permission. */
function bits(value: unknown): bigint {
  if (typeof value === 'string' && /^\d{1,30}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return 0n;
}

/** A snapshot's channel where a permission check needs it: the channel, and the one whose overwrites apply. */
export interface FoundChannel {
  channel: ChannelData;
  /** The channel itself, or a thread's parent (threads have no overwrites of their own). */
  permissionsFrom: ChannelData;
}

/**
 * A member's permission bit set in a channel, as Discord computes it (@concord/protocol/permissions: owner and
 * ADMINISTRATOR, @everyone and roles, overwrites in Discord's order, timeouts, implicit denials — no VIEW_CHANNEL means
 * nothing). The snapshot's wire shapes (decimal strings) are read leniently: a malformed bit set counts as none.
 */
export function computeChannelPermissions(
  guild: Pick<GuildSnapshot, 'id' | 'owner_id' | 'roles'>,
  member: Pick<GuildMemberData, 'user' | 'roles'> & { communication_disabled_until?: unknown },
  found: FoundChannel,
): bigint {
  const channel: PermissionChannel = {
    id: found.channel.id,
    type: found.channel.type,
    permissionOverwrites: overwritesOf(found.permissionsFrom),
  };
  const until =
    typeof member.communication_disabled_until === 'string' ? Date.parse(member.communication_disabled_until) : null;
  return computePermissions(
    permissionGuildOf(guild),
    {
      userId: member.user.id,
      roles: Array.isArray(member.roles) ? member.roles : [],
      communicationDisabledUntil: until,
    },
    channel,
  );
}

// The wire shapes converted once per object: the fan-out asks per recipient, and a directory replaces (never edits)
// the role list and channel objects it hands out, so identity is the cache key.
const guildCache = new WeakMap<object, PermissionGuild>();
const overwriteCache = new WeakMap<object, readonly PermissionOverwrite[]>();

function permissionGuildOf(guild: Pick<GuildSnapshot, 'id' | 'owner_id' | 'roles'>): PermissionGuild {
  const cached = guildCache.get(guild.roles);
  const ownerId = guild.owner_id ?? '';
  if (cached && cached.id === guild.id && cached.ownerId === ownerId) return cached;
  const built: PermissionGuild = {
    id: guild.id,
    ownerId,
    roles: guild.roles.map((r) => ({
      id: r.id,
      position: typeof r.position === 'number' ? r.position : 0,
      permissions: bits(r.permissions),
    })),
  };
  guildCache.set(guild.roles, built);
  return built;
}

function overwritesOf(channel: ChannelData): readonly PermissionOverwrite[] {
  const cached = overwriteCache.get(channel);
  if (cached) return cached;
  const raw = Array.isArray(channel.permission_overwrites)
    ? (channel.permission_overwrites as { id: string; type: number; allow: unknown; deny: unknown }[])
    : [];
  const built = raw.map(
    (o): PermissionOverwrite => ({ id: o.id, type: o.type === 1 ? 1 : 0, allow: bits(o.allow), deny: bits(o.deny) }),
  );
  overwriteCache.set(channel, built);
  return built;
}

/**
 * A channel of the guild by id: its own channels, else a thread (`threads` of the snapshot), which is seen through its
 * parent. Null when the guild has no such channel.
 */
export function findGuildChannel(
  guild: Pick<GuildSnapshot, 'channels'> & { threads?: unknown },
  channelId: string,
): FoundChannel | null {
  const channel = guild.channels.find((c) => c.id === channelId);
  if (channel) return { channel, permissionsFrom: channel };
  const threads = Array.isArray(guild.threads) ? (guild.threads as ChannelData[]) : [];
  const thread = threads.find((t) => t?.id === channelId);
  if (!thread || typeof thread.parent_id !== 'string') return null;
  const parent = guild.channels.find((c) => c.id === thread.parent_id);
  return parent ? { channel: thread, permissionsFrom: parent } : null;
}
