// @concord/guilds/moderation: the message filter hook's types (CommunityOptions.messageFilter), for the filters
// integrators write or install (@concord/games' TextSafety is one).
export type { FilteredMessage, MessageFilter, MessageFilterInput, MessageVerdict } from './moderation/MessageFilter.js';
