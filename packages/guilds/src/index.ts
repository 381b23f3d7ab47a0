// @concord/guilds: guild logic as Discord computes it. Today, permissions (src/permissions/): a member's effective
// permissions in a guild or channel, the role hierarchy, and the errors a server answers with. No subpath entries yet.
export { allPermissions } from './permissions/allPermissions.js';
export { applyImplicitPermissions } from './permissions/applyImplicitPermissions.js';
export { assertPermissions } from './permissions/assertPermissions.js';
export { canActOnMember } from './permissions/canActOnMember.js';
export { canManageRole } from './permissions/canManageRole.js';
export { compareRoles } from './permissions/compareRoles.js';
export { computeBasePermissions } from './permissions/computeBasePermissions.js';
export { computeOverwrites } from './permissions/computeOverwrites.js';
export { type ComputePermissionsOptions, computePermissions } from './permissions/computePermissions.js';
export { highestRole } from './permissions/highestRole.js';
export { isCommunicationDisabled } from './permissions/isCommunicationDisabled.js';
export {
  MissingAccessError,
  MissingPermissionsError,
  PermissionError,
  type PermissionErrorCode,
} from './permissions/PermissionError.js';
export type {
  PermissionChannel,
  PermissionGuild,
  PermissionMember,
  PermissionOverwrite,
  PermissionRole,
} from './permissions/PermissionInputs.js';
