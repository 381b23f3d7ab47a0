import { compareRoles } from './compareRoles.js';
import { highestRole } from './highestRole.js';
import type { PermissionGuild, PermissionMember, PermissionRole } from './PermissionInputs.js';

/**
 * Whether the role hierarchy lets `actor` edit, assign or remove `role`: the owner may manage any role, anyone else
 * only roles strictly below their highest role (docs/protocol.md, "Permissions", "Role hierarchy"). The hierarchy
 * only: whether the actor holds MANAGE_ROLES is `computePermissions`' answer, to check as well.
 */
export function canManageRole(guild: PermissionGuild, actor: PermissionMember, role: PermissionRole): boolean {
  if (actor.userId === guild.ownerId) return true;
  const highest = highestRole(guild, actor);
  return highest !== undefined && compareRoles(highest, role) > 0;
}
