/**
 * One set of serializers for every object Concord sends: the gateway builds its dispatches with them, and
 * applications (examples/chat-server) build their REST answers and their own dispatches with them, so an object looks
 * the same on every path. Typed against discord-api-types: a required field left out fails the typecheck.
 */
// GUILD_CREATE as a session gets it (large guilds cut down, presences by intent), built from these serializers.
export { buildGuildCreate } from '../buildGuildCreate.js';
export { discordTimestamp, discordTimestampOrNull } from './discordTimestamp.js';
export { type ApplicationData, type SerializedApplication, serializeApplication } from './serializeApplication.js';
export { serializeChannel } from './serializeChannel.js';
export { serializeCurrentUserGuild } from './serializeCurrentUserGuild.js';
export { serializeGuild } from './serializeGuild.js';
export { type GuildCreateData, type GuildCreateParts, serializeGuildCreate } from './serializeGuildCreate.js';
export { type MemberWithoutUser, serializeMember, serializeMemberWithoutUser } from './serializeMember.js';
export { type MessageData, type SerializedMessage, serializeMessage } from './serializeMessage.js';
export { type SerializedPresence, serializePresence } from './serializePresence.js';
export { type ReadyData, type ReadyInput, serializeReady } from './serializeReady.js';
export { serializeRole } from './serializeRole.js';
export {
  serializeThread,
  serializeThreadMember,
  type ThreadMemberData,
  type ThreadMetadataData,
} from './serializeThread.js';
export { type CurrentUser, serializeCurrentUser, serializeUser } from './serializeUser.js';
export { serializeVoiceState } from './serializeVoiceState.js';
