import { computeChannelPermissions, findGuildChannel, Permission } from '../computeChannelPermissions.js';
import type { ChannelPermissions, Directory } from '../Directory.js';
import type { Snowflake } from '../types.js';

/** Channel types a voice state may point at: GUILD_VOICE and GUILD_STAGE_VOICE. */
const VOICE_CHANNEL_TYPES: ReadonlySet<number> = new Set([2, 13]);
const STAGE = 13;

/** What a member may do in a voice channel they may join. */
export interface VoiceAccess {
  /**
   * Discord's `suppress`: the member may not speak — no SPEAK in the channel, or a stage, which everyone joins as
   * audience. (`mute` is the server mute a moderator sets; lacking SPEAK is not that.)
   */
  suppress: boolean;
  /** The member's permissions in the channel (Go Live checks STREAM among them). */
  permissions: bigint;
}

/**
 * Whether a user may join a voice channel (op 4): the channel exists in that guild, is a voice or stage channel, and
 * the member has VIEW_CHANNEL and CONNECT there. Null = refused.
 *
 * Uses `directory.channelPermissions` when the directory has it. Otherwise the same rules are applied to what every
 * directory has — the guild snapshot (channels, roles, overwrites, owner) and the member from `members()` — rather
 * than denying (which would break voice for every directory written before this hook) or trusting `canView` alone
 * (which knows neither the channel type nor CONNECT).
 */
export async function voiceAccess(
  directory: Directory,
  userId: Snowflake,
  guildId: Snowflake,
  channelId: Snowflake,
): Promise<VoiceAccess | null> {
  const access = directory.channelPermissions
    ? await directory.channelPermissions(userId, guildId, channelId)
    : await fromSnapshot(directory, userId, guildId, channelId);
  if (!access || !VOICE_CHANNEL_TYPES.has(access.type)) return null;
  const needed = Permission.ViewChannel | Permission.Connect;
  if ((access.permissions & needed) !== needed) return null;
  return {
    suppress: access.type === STAGE || (access.permissions & Permission.Speak) === 0n,
    permissions: access.permissions,
  };
}

async function fromSnapshot(
  directory: Directory,
  userId: Snowflake,
  guildId: Snowflake,
  channelId: Snowflake,
): Promise<ChannelPermissions | null> {
  const [guild, members] = await Promise.all([
    directory.guild(guildId),
    directory.members(guildId, { limit: 1, userIds: [userId] }),
  ]);
  const member = members.find((m) => m.user.id === userId);
  if (!guild || !member) return null;
  const found = findGuildChannel(guild, channelId);
  if (!found) return null;
  return { type: found.channel.type, permissions: computeChannelPermissions(guild, member, found) };
}
