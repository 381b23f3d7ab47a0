// Re-exported so that users get the enums they already know from discord-api-types.
export { GatewayOpcodes } from 'discord-api-types/gateway/v10';
export { VoiceOpcodes } from 'discord-api-types/voice/v8';
