import { PermissionFlagsBits } from 'discord-api-types/v10';
import { allPermissions } from './allPermissions.js';
import { applyImplicitPermissions } from './applyImplicitPermissions.js';
import { computeBasePermissions } from './computeBasePermissions.js';
import { computeOverwrites } from './computeOverwrites.js';
import { isCommunicationDisabled } from './isCommunicationDisabled.js';
import type { PermissionChannel, PermissionGuild, PermissionMember } from './PermissionInputs.js';

/** What `computePermissions` takes besides the guild, member and channel. */
export interface ComputePermissionsOptions {
  /** The current time in Unix ms, for timeouts. Default: `Date.now()`. */
  now?: number;
}

/** What a timed-out member keeps (docs/protocol.md, "Permissions", "Timed-out members"). */
const timedOutPermissions = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;

/**
 * A member's effective permissions, as Discord computes them: in the guild when `channel` is absent, in `channel`
 * otherwise (for a thread, pass its parent channel: see `PermissionChannel`). The owner and ADMINISTRATOR holders get
 * every permission. Everyone else gets their roles' permissions, then the channel's overwrites, then, while timed out,
 * only VIEW_CHANNEL and READ_MESSAGE_HISTORY, then Discord's implicit denials (no VIEW_CHANNEL: nothing; no
 * SEND_MESSAGES: no mentions of everyone, TTS, files or embeds; no CONNECT in voice: no voice permissions).
 */
export function computePermissions(
  guild: PermissionGuild,
  member: PermissionMember,
  channel?: PermissionChannel,
  options: ComputePermissionsOptions = {},
): bigint {
  const base = computeBasePermissions(guild, member);
  // Owner and ADMINISTRATOR: everything, exempt from overwrites, timeouts and implicit denials alike.
  if (base === allPermissions) return allPermissions;
  let permissions = channel === undefined ? base : computeOverwrites(base, guild, channel, member);
  if (isCommunicationDisabled(member, options.now)) permissions &= timedOutPermissions;
  return channel === undefined ? permissions : applyImplicitPermissions(permissions, channel.type);
}
