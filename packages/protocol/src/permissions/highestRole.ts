import { compareRoles } from './compareRoles.js';
import type { PermissionGuild, PermissionMember, PermissionRole } from './PermissionInputs.js';

/**
 * The member's highest role in Discord's order (`compareRoles`), or the `@everyone` role when the member has none the
 * guild knows; undefined only if the guild lists no `@everyone` role either.
 */
export function highestRole(guild: PermissionGuild, member: PermissionMember): PermissionRole | undefined {
  const memberRoles = new Set(member.roles);
  let highest: PermissionRole | undefined;
  for (const role of guild.roles) {
    if (role.id !== guild.id && !memberRoles.has(role.id)) continue;
    if (highest === undefined || compareRoles(role, highest) > 0) highest = role;
  }
  return highest;
}
