import { ChannelType, OverwriteType } from 'discord-api-types/v10';
import type {
  PermissionChannel,
  PermissionGuild,
  PermissionMember,
  PermissionOverwrite,
  PermissionRole,
} from '../../src/permissions/index.js';

export const GUILD_ID = '100';
export const OWNER_ID = '1';

/** A guild whose @everyone role has `everyone` and which has the other roles given. */
export function guild(everyone: bigint, roles: PermissionRole[] = []): PermissionGuild {
  return { id: GUILD_ID, ownerId: OWNER_ID, roles: [{ id: GUILD_ID, permissions: everyone, position: 0 }, ...roles] };
}

export function role(id: string, permissions: bigint, position: number): PermissionRole {
  return { id, permissions, position };
}

export function member(userId: string, roles: string[] = [], communicationDisabledUntil?: number): PermissionMember {
  return communicationDisabledUntil === undefined ? { userId, roles } : { userId, roles, communicationDisabledUntil };
}

export function roleOverwrite(id: string, allow: bigint, deny: bigint): PermissionOverwrite {
  return { id, type: OverwriteType.Role, allow, deny };
}

export function memberOverwrite(id: string, allow: bigint, deny: bigint): PermissionOverwrite {
  return { id, type: OverwriteType.Member, allow, deny };
}

export function channel(
  permissionOverwrites: PermissionOverwrite[] = [],
  type: ChannelType = ChannelType.GuildText,
): PermissionChannel {
  return { id: '500', type, permissionOverwrites, parentId: null };
}
