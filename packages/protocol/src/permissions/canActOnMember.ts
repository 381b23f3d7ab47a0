import { compareRoles } from './compareRoles.js';
import { highestRole } from './highestRole.js';
import type { PermissionGuild, PermissionMember } from './PermissionInputs.js';

/**
 * Whether the role hierarchy lets `actor` kick, ban, time out or rename `target` (docs/protocol.md, "Permissions",
 * "Role hierarchy"): nobody acts on the owner; the owner acts on anyone else; otherwise the actor's highest role must
 * rank strictly above the target's, so a member never acts on an equal or on themselves. The hierarchy only: the
 * permission (KICK_MEMBERS, BAN_MEMBERS, MODERATE_MEMBERS, MANAGE_NICKNAMES) is checked separately.
 */
export function canActOnMember(guild: PermissionGuild, actor: PermissionMember, target: PermissionMember): boolean {
  if (target.userId === guild.ownerId) return false;
  if (actor.userId === guild.ownerId) return true;
  const actorHighest = highestRole(guild, actor);
  const targetHighest = highestRole(guild, target);
  if (actorHighest === undefined) return false;
  return targetHighest === undefined || compareRoles(actorHighest, targetHighest) > 0;
}
