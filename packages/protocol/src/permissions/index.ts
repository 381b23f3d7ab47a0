// `@concord/protocol/permissions`: a member's permissions as Discord computes them (docs/protocol.md, "Permissions"):
// base permissions from @everyone and the member's roles, owner and ADMINISTRATOR, channel overwrites in Discord's
// order, timeouts, implicit denials, and the role hierarchy. Pure functions over plain shapes (bigint bit sets), no
// I/O: the gateway server's default directory and the community model of @concord/guilds both compute with them.
export { allPermissions } from './allPermissions.js';
export { applyImplicitPermissions } from './applyImplicitPermissions.js';
export { canActOnMember } from './canActOnMember.js';
export { canManageRole } from './canManageRole.js';
export { compareRoles } from './compareRoles.js';
export { computeBasePermissions } from './computeBasePermissions.js';
export { computeOverwrites } from './computeOverwrites.js';
export { type ComputePermissionsOptions, computePermissions } from './computePermissions.js';
export { highestRole } from './highestRole.js';
export { isCommunicationDisabled } from './isCommunicationDisabled.js';
export type {
  PermissionChannel,
  PermissionGuild,
  PermissionMember,
  PermissionOverwrite,
  PermissionRole,
} from './PermissionInputs.js';
