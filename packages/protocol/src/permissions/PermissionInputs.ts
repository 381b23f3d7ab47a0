import type { ChannelType, OverwriteType } from 'discord-api-types/v10';

/**
 * The least the permission functions need to know about a guild, role, member and channel. They are plain shapes (not
 * discord-api-types' wire objects) so a store's records or a cache's objects fit without conversion: permissions are
 * bigints here, where the wire carries decimal strings.
 */

/** A guild role. The `@everyone` role is the one whose id is the guild's id (docs/protocol.md, "Permissions"). */
export interface PermissionRole {
  id: string;
  /** The role's guild-level permission bits (`PermissionFlagsBits` from discord-api-types/v10). */
  permissions: bigint;
  /** Higher is more powerful; `@everyone` is 0. Equal positions are ordered by id (see `compareRoles`). */
  position: number;
}

/** A guild, as far as permissions need it: its owner and its roles, `@everyone` included. */
export interface PermissionGuild {
  /** Also the id of the `@everyone` role. */
  id: string;
  ownerId: string;
  roles: readonly PermissionRole[];
}

/** A guild member: the user and the roles they hold in the guild. */
export interface PermissionMember {
  userId: string;
  /** Role ids, without `@everyone` (Discord never lists it in a member's roles; it applies to everyone anyway). */
  roles: readonly string[];
  /** Unix ms until which the member is timed out; absent, null or past means not timed out. */
  communicationDisabledUntil?: number | null;
}

/** One channel permission overwrite: `type` 0 (`OverwriteType.Role`) targets a role, 1 (`OverwriteType.Member`) a user. */
export interface PermissionOverwrite {
  id: string;
  type: OverwriteType;
  allow: bigint;
  deny: bigint;
}

/**
 * A guild channel. Threads have no overwrites of their own: they take their parent's. To compute a member's
 * permissions in a thread, pass the thread's parent channel (its type and its overwrites), then check
 * SEND_MESSAGES_IN_THREADS rather than SEND_MESSAGES for posting in the thread. A thread object passed as such (type a
 * thread type, overwrites copied from the parent) is handled too: its posting permission is SEND_MESSAGES_IN_THREADS.
 */
export interface PermissionChannel {
  id: string;
  type: ChannelType;
  permissionOverwrites: readonly PermissionOverwrite[];
  /** The category of a channel, or the channel of a thread. Informative: the functions never look it up. */
  parentId?: string | null;
}
