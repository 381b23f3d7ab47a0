import { PermissionFlagsBits } from 'discord-api-types/v10';
import { allPermissions } from './allPermissions.js';
import type { PermissionGuild, PermissionMember, PermissionRole } from './PermissionInputs.js';

/**
 * A member's guild-level permissions, before any channel: the owner has everything; otherwise @everyone's permissions
 * OR those of each of the member's roles, and ADMINISTRATOR among them means everything (docs/protocol.md,
 * "Permissions", steps 1–2). Role ids the guild does not have (a role deleted since the member was cached) add nothing.
 */
export function computeBasePermissions(guild: PermissionGuild, member: PermissionMember): bigint {
  if (member.userId === guild.ownerId) return allPermissions;
  const byId = rolesById(guild.roles);
  let permissions = byId.get(guild.id)?.permissions ?? 0n;
  for (const roleId of member.roles) permissions |= byId.get(roleId)?.permissions ?? 0n;
  if ((permissions & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator) return allPermissions;
  return permissions;
}

// Role lists are read-only inputs (PermissionInputs.ts), so the index is built once per list: a server asks for many
// members of one guild in a row (fan-out visibility, member lists), and a list changes by being replaced.
const indexes = new WeakMap<readonly PermissionRole[], ReadonlyMap<string, PermissionRole>>();

function rolesById(roles: readonly PermissionRole[]): ReadonlyMap<string, PermissionRole> {
  let index = indexes.get(roles);
  if (index === undefined) {
    index = new Map(roles.map((role) => [role.id, role]));
    indexes.set(roles, index);
  }
  return index;
}
