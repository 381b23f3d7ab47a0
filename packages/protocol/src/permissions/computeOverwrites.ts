import { OverwriteType, PermissionFlagsBits } from 'discord-api-types/v10';
import { allPermissions } from './allPermissions.js';
import type { PermissionChannel, PermissionGuild, PermissionMember, PermissionOverwrite } from './PermissionInputs.js';

/**
 * Applies a channel's overwrites to `base` (from `computeBasePermissions`), in Discord's order (docs/protocol.md,
 * "Permissions", steps 3–8): the `@everyone` overwrite (deny, then allow); then the overwrites of all the member's roles
 * together, every deny before any allow, so one role's allow beats another role's deny whatever their positions; then
 * the member's own overwrite. ADMINISTRATOR bypasses overwrites entirely.
 *
 * Overwrites are matched by type as well as id: a role overwrite never applies to a user who happens to share its id.
 * The `@everyone` overwrite is applied once, even if the member's roles list the guild id.
 */
export function computeOverwrites(
  base: bigint,
  guild: PermissionGuild,
  channel: PermissionChannel,
  member: PermissionMember,
): bigint {
  if ((base & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator) return allPermissions;
  const { roleOverwrites, memberOverwrites } = indexOf(channel.permissionOverwrites);
  const memberOverwrite = memberOverwrites.get(member.userId);
  let permissions = base;
  const everyone = roleOverwrites.get(guild.id);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;

  let allow = 0n;
  let deny = 0n;
  // A role listed twice adds nothing: OR is idempotent, so no de-duplication is needed.
  for (const roleId of member.roles) {
    if (roleId === guild.id) continue;
    const overwrite = roleOverwrites.get(roleId);
    if (overwrite === undefined) continue;
    allow |= overwrite.allow;
    deny |= overwrite.deny;
  }
  permissions = (permissions & ~deny) | allow;

  if (memberOverwrite) permissions = (permissions & ~memberOverwrite.deny) | memberOverwrite.allow;
  return permissions;
}

interface OverwriteIndex {
  roleOverwrites: ReadonlyMap<string, PermissionOverwrite>;
  memberOverwrites: ReadonlyMap<string, PermissionOverwrite>;
}

// Overwrite lists are read-only inputs (PermissionInputs.ts): indexed once per list, as the role lists are. When a
// list names a target twice, the last entry wins, as it did when the list was read in order.
const indexes = new WeakMap<readonly PermissionOverwrite[], OverwriteIndex>();

function indexOf(overwrites: readonly PermissionOverwrite[]): OverwriteIndex {
  let index = indexes.get(overwrites);
  if (index === undefined) {
    const roleOverwrites = new Map<string, PermissionOverwrite>();
    const memberOverwrites = new Map<string, PermissionOverwrite>();
    for (const overwrite of overwrites) {
      if (overwrite.type === OverwriteType.Role) roleOverwrites.set(overwrite.id, overwrite);
      else if (overwrite.type === OverwriteType.Member) memberOverwrites.set(overwrite.id, overwrite);
    }
    index = { roleOverwrites, memberOverwrites };
    indexes.set(overwrites, index);
  }
  return index;
}
