// @concord/guilds: the community model as Discord has it. `Community` (src/community/) composes the services
// (src/services/: one per resource) over the state cache (src/state/) and the entity store (src/store/); its
// `directory` (src/directory/) is the gateway's Directory. Permission errors (src/permissions/) and Discord's form
// validation (src/validation/, 50035 / 50006) are what every service answers with. No subpath entries yet.

// The permission computation lives in @concord/protocol/permissions (the gateway's default directory uses it too);
// re-exported here so a community integrator needs one import.
export {
  allPermissions,
  applyImplicitPermissions,
  type ComputePermissionsOptions,
  canActOnMember,
  canManageRole,
  compareRoles,
  computeBasePermissions,
  computeOverwrites,
  computePermissions,
  highestRole,
  isCommunicationDisabled,
  type PermissionChannel,
  type PermissionGuild,
  type PermissionMember,
  type PermissionOverwrite,
  type PermissionRole,
} from '@concord/protocol/permissions';
export { COMMUNITY_TOPIC } from './community/ClusterSync.js';
// The community model (src/community/, src/services/): the Community façade, its services and errors.
export { Community, type CommunityOptions } from './community/Community.js';
export type { CommunityGateway } from './community/CommunityGateway.js';
export { CommunityDirectory } from './directory/CommunityDirectory.js';
export { CommunityError, type CommunityErrorKind, communityErrors, SlowmodeError } from './errors/CommunityError.js';
export { type UnknownEntity, UnknownEntityError, unknownEntityCodes } from './errors/UnknownEntityError.js';
export { assertPermissions } from './permissions/assertPermissions.js';
export {
  MissingAccessError,
  MissingPermissionsError,
  PermissionError,
  type PermissionErrorCode,
} from './permissions/PermissionError.js';
export { applicationCommandLimits } from './validation/applicationCommandLimits.js';
export { applicationCommandMessages } from './validation/applicationCommandMessages.js';
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
export { validateApplicationCommand, validateApplicationCommandList } from './validation/validateApplicationCommand.js';
export { validateEmbeds } from './validation/validateEmbeds.js';
export {
  type MessageContent,
  type ValidateMessageContentOptions,
  validateMessageContent,
} from './validation/validateMessageContent.js';
