// @concord/guilds: guild logic as Discord computes it. Permissions (src/permissions/): a member's effective
// permissions in a guild or channel, the role hierarchy, and the errors a server answers with. Validation
// (src/validation/): Discord's form validation of a message body (content, embeds, allowed mentions) and its 50035 and
// 50006 errors. No subpath entries yet.

export { COMMUNITY_TOPIC } from './community/ClusterSync.js';
// The community model (src/community/, src/services/): the Community façade, its services and errors.
export { Community, type CommunityOptions } from './community/Community.js';
export type { CommunityGateway } from './community/CommunityGateway.js';
export { CommunityDirectory } from './directory/CommunityDirectory.js';
export { CommunityError, type CommunityErrorKind, communityErrors, SlowmodeError } from './errors/CommunityError.js';
export { type UnknownEntity, UnknownEntityError, unknownEntityCodes } from './errors/UnknownEntityError.js';
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
export {
  defaultFormErrorsOptions,
  type FormError,
  type FormErrorPath,
  FormErrors,
  type FormErrorsOptions,
  type FormErrorTree,
  type InvalidFormBodyJSON,
} from './validation/FormErrors.js';
export { formErrorMessages } from './validation/formErrorMessages.js';
export { messageLimits } from './validation/messageLimits.js';
export {
  EmptyMessageError,
  InvalidFormBodyError,
  ValidationError,
  type ValidationErrorBody,
  type ValidationErrorCode,
} from './validation/ValidationError.js';
export {
  type AllowedMentions,
  type AllowedMentionType,
  validateAllowedMentions,
} from './validation/validateAllowedMentions.js';
export { validateEmbeds } from './validation/validateEmbeds.js';
export {
  type MessageContent,
  type ValidateMessageContentOptions,
  validateMessageContent,
} from './validation/validateMessageContent.js';
