import { PermissionFlagsBits } from 'discord-api-types/v10';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { ChannelRecord } from '../model/records.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { MissingAccessError } from '../permissions/PermissionError.js';
import type { GuildState, MemberEntry } from '../state/GuildState.js';

/**
 * The permission checks every service makes, in Discord's order: not a member of the guild → 50001 Missing Access;
 * a channel the guild does not have → 10003 Unknown Channel; a channel without VIEW_CHANNEL → 50001; then the
 * action's permissions → 50013 Missing Permissions naming the missing bits.
 */

/** The acting member; MissingAccessError (50001) when the user is not in the guild. */
export function requireMember(state: GuildState, userId: string): MemberEntry {
  const member = state.members.get(userId);
  if (!member) throw new MissingAccessError();
  return member;
}

/** The member's guild-level permissions, after checking they hold `required`. */
export function requireGuildPermissions(state: GuildState, userId: string, required: bigint): bigint {
  requireMember(state, userId);
  const granted = state.permissionsOf(userId) ?? 0n;
  assertPermissions(granted, required);
  return granted;
}

/** A channel of the guild; UnknownEntityError (10003) when it has none with this id. */
export function requireChannel(state: GuildState, channelId: string): ChannelRecord {
  const channel = state.channels.get(channelId);
  if (!channel) throw new UnknownEntityError('channel');
  return channel;
}

/** The member's permissions in a channel they can view, after checking they hold `required` there. */
export function requireChannelPermissions(
  state: GuildState,
  userId: string,
  channelId: string,
  required: bigint = 0n,
): bigint {
  requireMember(state, userId);
  requireChannel(state, channelId);
  const granted = state.permissionsOf(userId, channelId) ?? 0n;
  if ((granted & PermissionFlagsBits.ViewChannel) === 0n) throw new MissingAccessError();
  assertPermissions(granted, required);
  return granted;
}
